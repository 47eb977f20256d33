"""Prepare the built-in nursery-rhyme character dataset: write input.txt, train.bin, val.bin
(uint16 token ids) and meta.pkl (the vocabulary) into data/nursery_char/."""
import os
import pickle
import random

import numpy as np

SUBJECTS = ['the cat', 'a dog', 'the little mouse', 'my old cow', 'the king', 'a queen',
            'the baker', 'jack', 'jill', 'the spider']
VERBS = ['ran up', 'jumped over', 'sat on', 'fell down', 'sang to', 'looked at', 'went to']
OBJECTS = ['the hill', 'the moon', 'the wall', 'a pail of water', 'the clock', 'the garden',
           'the spout', 'a silver tree']


def make_text(n_lines=3000, seed=0):
    rng = random.Random(seed)
    lines = []
    for _ in range(n_lines):
        line = f"{rng.choice(SUBJECTS)} {rng.choice(VERBS)} {rng.choice(OBJECTS)}"
        if rng.random() < 0.3:
            line += f" and {rng.choice(VERBS)} {rng.choice(OBJECTS)}"
        lines.append(line + ('.' if rng.random() < 0.7 else '!'))
    return '\n'.join(lines) + '\n'


def main(data_dir=os.path.join(os.path.dirname(__file__), 'data', 'nursery_char')):
    os.makedirs(data_dir, exist_ok=True)
    data = make_text()
    with open(os.path.join(data_dir, 'input.txt'), 'w') as f:
        f.write(data)
    chars = sorted(list(set(data)))
    vocab_size = len(chars)
    print(f"length of dataset in characters: {len(data):,}")
    print(f"vocab size: {vocab_size:,}")
    stoi = {ch: i for i, ch in enumerate(chars)}
    itos = {i: ch for i, ch in enumerate(chars)}
    n = len(data)
    train_ids = np.array([stoi[c] for c in data[:int(n * 0.9)]], dtype=np.uint16)
    val_ids = np.array([stoi[c] for c in data[int(n * 0.9):]], dtype=np.uint16)
    print(f"train has {len(train_ids):,} tokens")
    print(f"val has {len(val_ids):,} tokens")
    train_ids.tofile(os.path.join(data_dir, 'train.bin'))
    val_ids.tofile(os.path.join(data_dir, 'val.bin'))
    with open(os.path.join(data_dir, 'meta.pkl'), 'wb') as f:
        pickle.dump({'vocab_size': vocab_size, 'itos': itos, 'stoi': stoi}, f)


if __name__ == '__main__':
    main()
