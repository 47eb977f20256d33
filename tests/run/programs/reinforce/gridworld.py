"""A tiny deterministic grid world with a gym-like interface (reset/step)."""
import numpy as np


class GridWorld:
    """The agent starts in the top-left cell of an n x n grid and must reach the bottom-right
    one. Actions: 0 up, 1 right, 2 down, 3 left (bumping into a wall stays put). Each step
    costs 0.05; reaching the goal pays 1 and ends the episode, as does running out of steps."""

    reward_threshold = 0.6

    def __init__(self, n=4, max_steps=25):
        self.n = n
        self.max_steps = max_steps
        self.observation_size = n * n
        self.action_size = 4

    def _obs(self):
        obs = np.zeros(self.observation_size, dtype=np.float32)
        obs[self.pos[0] * self.n + self.pos[1]] = 1.0
        return obs

    def reset(self, seed=None):
        self.pos = [0, 0]
        self.t = 0
        return self._obs(), {}

    def step(self, action):
        dr, dc = [(-1, 0), (0, 1), (1, 0), (0, -1)][action]
        self.pos = [min(max(self.pos[0] + dr, 0), self.n - 1),
                    min(max(self.pos[1] + dc, 0), self.n - 1)]
        self.t += 1
        done = self.pos == [self.n - 1, self.n - 1]
        reward = 1.0 if done else -0.05
        truncated = self.t >= self.max_steps
        return self._obs(), reward, done, truncated, {}
