"""REINFORCE (Monte-Carlo policy gradient) on a grid world, pytorch/examples style."""
import argparse
from itertools import count

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
import torch.optim as optim
from torch.distributions import Categorical

from gridworld import GridWorld

parser = argparse.ArgumentParser(description='PyTorch REINFORCE example')
parser.add_argument('--gamma', type=float, default=0.99, metavar='G',
                    help='discount factor (default: 0.99)')
parser.add_argument('--seed', type=int, default=543, metavar='N', help='random seed')
parser.add_argument('--episodes', type=int, default=300, help='maximum number of episodes')
parser.add_argument('--log-interval', type=int, default=25, metavar='N',
                    help='interval between training status logs (default: 25)')
args = parser.parse_args()

env = GridWorld()
env.reset(seed=args.seed)
torch.manual_seed(args.seed)


class Policy(nn.Module):
    def __init__(self):
        super(Policy, self).__init__()
        self.affine1 = nn.Linear(env.observation_size, 64)
        self.dropout = nn.Dropout(p=0.1)
        self.affine2 = nn.Linear(64, env.action_size)

        self.saved_log_probs = []
        self.rewards = []

    def forward(self, x):
        x = self.affine1(x)
        x = self.dropout(x)
        x = F.relu(x)
        action_scores = self.affine2(x)
        return F.softmax(action_scores, dim=1)


policy = Policy()
optimizer = optim.Adam(policy.parameters(), lr=1e-2)
eps = np.finfo(np.float32).eps.item()


def select_action(state):
    state = torch.from_numpy(state).float().unsqueeze(0)
    probs = policy(state)
    m = Categorical(probs)
    action = m.sample()
    policy.saved_log_probs.append(m.log_prob(action))
    return action.item()


def finish_episode():
    R = 0
    policy_loss = []
    returns = []
    for r in policy.rewards[::-1]:
        R = r + args.gamma * R
        returns.insert(0, R)
    returns = torch.tensor(returns)
    returns = (returns - returns.mean()) / (returns.std() + eps)
    for log_prob, R in zip(policy.saved_log_probs, returns):
        policy_loss.append(-log_prob * R)
    optimizer.zero_grad()
    policy_loss = torch.cat(policy_loss).sum()
    policy_loss.backward()
    optimizer.step()
    del policy.rewards[:]
    del policy.saved_log_probs[:]


def greedy_episode():
    """Follow the most likely action: the number of steps to the goal (optimum: 6)."""
    policy.eval()
    state, _ = env.reset()
    with torch.no_grad():
        for t in range(1, env.max_steps + 1):
            action = policy(torch.from_numpy(state).unsqueeze(0)).argmax(dim=1).item()
            state, reward, done, truncated, _ = env.step(action)
            if done or truncated:
                break
    policy.train()
    return t if done else env.max_steps + 1


def main():
    running_reward = -1.0
    for i_episode in count(1):
        state, _ = env.reset()
        ep_reward = 0
        for t in range(1, 10000):
            action = select_action(state)
            state, reward, done, truncated, _ = env.step(action)
            policy.rewards.append(reward)
            ep_reward += reward
            if done or truncated:
                break

        running_reward = 0.05 * ep_reward + (1 - 0.05) * running_reward
        finish_episode()
        if i_episode % args.log_interval == 0:
            print('Episode {}\tLast reward: {:.2f}\tAverage reward: {:.2f}'.format(
                i_episode, ep_reward, running_reward))
        if running_reward > env.reward_threshold or i_episode >= args.episodes:
            print("Stopped after episode {}: running reward is {:.2f}".format(
                i_episode, running_reward))
            break
    print(f'RESULT episodes {i_episode}')
    print(f'RESULT running_reward {running_reward:.4f}')
    print(f'RESULT greedy_steps {greedy_episode()}')


if __name__ == '__main__':
    main()
