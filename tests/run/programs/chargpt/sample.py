"""Sample from a trained model: python sample.py --out_dir=out-tiny-char"""
import os
import pickle
from contextlib import nullcontext

import torch

from model import GPT, GPTConfig

init_from = 'resume'
out_dir = 'out'
start = "\n"
num_samples = 3
max_new_tokens = 200
temperature = 0.8
top_k = 20
seed = 1337
device = 'cpu'
dtype = 'float32'
compile = False
exec(open('configurator.py').read())

torch.manual_seed(seed)
torch.cuda.manual_seed(seed)
device_type = 'cuda' if 'cuda' in device else 'cpu'
ptdtype = {'float32': torch.float32, 'bfloat16': torch.bfloat16, 'float16': torch.float16}[dtype]
ctx = nullcontext() if device_type == 'cpu' else torch.amp.autocast(device_type=device_type,
                                                                     dtype=ptdtype)

ckpt_path = os.path.join(out_dir, 'ckpt.pt')
checkpoint = torch.load(ckpt_path, map_location=device)
gptconf = GPTConfig(**checkpoint['model_args'])
model = GPT(gptconf)
state_dict = checkpoint['model']
model.load_state_dict(state_dict)
model.eval()
model.to(device)
if compile:
    model = torch.compile(model)

meta_path = os.path.join('data', checkpoint['config']['dataset'], 'meta.pkl')
print(f"Loading meta from {meta_path}...")
with open(meta_path, 'rb') as f:
    meta = pickle.load(f)
stoi, itos = meta['stoi'], meta['itos']


def encode(s):
    return [stoi[c] for c in s]


def decode(tokens):
    return ''.join([itos[i] for i in tokens])


start_ids = encode(start)
x = torch.tensor(start_ids, dtype=torch.long, device=device)[None, ...]

words = 0
known = 0
vocabulary = set(open(os.path.join('data', checkpoint['config']['dataset'],
                                   'input.txt')).read().split())
with torch.no_grad():
    with ctx:
        for k in range(num_samples):
            y = model.generate(x, max_new_tokens, temperature=temperature, top_k=top_k)
            text = decode(y[0].tolist())
            print(text)
            print('---------------')
            for w in text.split():
                words += 1
                known += w in vocabulary
print(f"RESULT known_word_fraction {known / max(words, 1):.4f}")
