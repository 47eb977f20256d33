# train a tiny character-level model on the built-in nursery text
out_dir = 'out-tiny-char'
eval_interval = 50
eval_iters = 10
log_interval = 10
always_save_checkpoint = False

dataset = 'nursery_char'
gradient_accumulation_steps = 1
batch_size = 16
block_size = 32

n_layer = 2
n_head = 2
n_embd = 48
dropout = 0.0

learning_rate = 3e-3
max_iters = 150
lr_decay_iters = 150
min_lr = 3e-4
beta2 = 0.99
warmup_iters = 10

device = 'cpu'
compile = False
