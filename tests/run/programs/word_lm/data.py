"""Dictionary and Corpus (pytorch/examples word_language_model style), with a generated corpus
when the data directory has no train/valid/test files."""
import os
import random

import torch


class Dictionary(object):
    def __init__(self):
        self.word2idx = {}
        self.idx2word = []

    def add_word(self, word):
        if word not in self.word2idx:
            self.idx2word.append(word)
            self.word2idx[word] = len(self.idx2word) - 1
        return self.word2idx[word]

    def __len__(self):
        return len(self.idx2word)


class Corpus(object):
    def __init__(self, path):
        self.dictionary = Dictionary()
        if not os.path.exists(os.path.join(path, 'train.txt')):
            generate(path)
        self.train = self.tokenize(os.path.join(path, 'train.txt'))
        self.valid = self.tokenize(os.path.join(path, 'valid.txt'))
        self.test = self.tokenize(os.path.join(path, 'test.txt'))

    def tokenize(self, path):
        """Tokenizes a text file."""
        assert os.path.exists(path)
        with open(path, 'r', encoding="utf8") as f:
            for line in f:
                words = line.split() + ['<eos>']
                for word in words:
                    self.dictionary.add_word(word)
        with open(path, 'r', encoding="utf8") as f:
            idss = []
            for line in f:
                words = line.split() + ['<eos>']
                ids = []
                for word in words:
                    ids.append(self.dictionary.word2idx[word])
                idss.append(torch.tensor(ids).type(torch.int64))
            ids = torch.cat(idss)
        return ids


def generate(path, seed=0):
    """A small synthetic corpus from a tiny grammar (so the test needs no download)."""
    rng = random.Random(seed)
    det = ['the', 'a', 'every', 'some']
    adj = ['red', 'small', 'old', 'quiet', 'happy']
    noun = ['fox', 'dog', 'bird', 'farmer', 'river', 'tree', 'child']
    verb = ['sees', 'follows', 'likes', 'finds', 'crosses']

    def np_():
        words = [rng.choice(det)]
        if rng.random() < 0.5:
            words.append(rng.choice(adj))
        return words + [rng.choice(noun)]

    def sentence():
        s = np_() + [rng.choice(verb)] + np_()
        if rng.random() < 0.3:
            s += ['and'] + np_() + [rng.choice(verb)] + np_()
        return ' '.join(s) + ' .'

    os.makedirs(path, exist_ok=True)
    for name, n in (('train.txt', 1500), ('valid.txt', 150), ('test.txt', 150)):
        with open(os.path.join(path, name), 'w') as f:
            f.write('\n'.join(sentence() for _ in range(n)) + '\n')
