"""A small CNN classifier on generated "shapes" images, in the style of pytorch/examples mnist:
Dataset + DataLoader, Conv2d/MaxPool/Dropout, Adadelta with a StepLR schedule, train/test loops,
saving the state dict."""
import argparse

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
import torch.optim as optim
from torch.optim.lr_scheduler import StepLR
from torch.utils.data import DataLoader, Dataset

CLASSES = ('horizontal', 'vertical', 'diagonal', 'square')


class Shapes(Dataset):
    """Noisy 16x16 images of a horizontal bar, a vertical bar, a diagonal or a hollow square,
    at random positions."""

    def __init__(self, n, seed, transform=None):
        rng = np.random.default_rng(seed)
        self.images = np.zeros((n, 16, 16), dtype=np.float32)
        self.labels = rng.integers(0, 4, n)
        for img, label in zip(self.images, self.labels):
            r, c = rng.integers(2, 10, 2)
            size = rng.integers(4, 7)
            if label == 0:
                img[r, c:c + size] = 1
            elif label == 1:
                img[r:r + size, c] = 1
            elif label == 2:
                for k in range(size):
                    img[r + k, c + k] = 1
            else:
                img[r, c:c + size] = img[r + size - 1, c:c + size] = 1
                img[r:r + size, c] = img[r:r + size, c + size - 1] = 1
            img += rng.normal(0, 0.3, img.shape).astype(np.float32)
        self.transform = transform

    def __len__(self):
        return len(self.labels)

    def __getitem__(self, idx):
        image = torch.from_numpy(self.images[idx]).unsqueeze(0)
        if self.transform:
            image = self.transform(image)
        return image, int(self.labels[idx])


def normalize(image):
    return (image - 0.1) / 0.4


class Net(nn.Module):
    def __init__(self):
        super(Net, self).__init__()
        self.conv1 = nn.Conv2d(1, 8, 3, 1)
        self.conv2 = nn.Conv2d(8, 16, 3, 1)
        self.dropout1 = nn.Dropout(0.25)
        self.dropout2 = nn.Dropout(0.5)
        self.fc1 = nn.Linear(16 * 6 * 6, 64)
        self.fc2 = nn.Linear(64, 4)

    def forward(self, x):
        x = self.conv1(x)
        x = F.relu(x)
        x = self.conv2(x)
        x = F.relu(x)
        x = F.max_pool2d(x, 2)
        x = self.dropout1(x)
        x = torch.flatten(x, 1)
        x = self.fc1(x)
        x = F.relu(x)
        x = self.dropout2(x)
        x = self.fc2(x)
        output = F.log_softmax(x, dim=1)
        return output


def train(args, model, device, train_loader, optimizer, epoch):
    model.train()
    for batch_idx, (data, target) in enumerate(train_loader):
        data, target = data.to(device), target.to(device)
        optimizer.zero_grad()
        output = model(data)
        loss = F.nll_loss(output, target)
        loss.backward()
        optimizer.step()
        if batch_idx % args.log_interval == 0:
            print('Train Epoch: {} [{}/{} ({:.0f}%)]\tLoss: {:.6f}'.format(
                epoch, batch_idx * len(data), len(train_loader.dataset),
                100. * batch_idx / len(train_loader), loss.item()))


def test(model, device, test_loader):
    model.eval()
    test_loss = 0
    correct = 0
    with torch.no_grad():
        for data, target in test_loader:
            data, target = data.to(device), target.to(device)
            output = model(data)
            test_loss += F.nll_loss(output, target, reduction='sum').item()
            pred = output.argmax(dim=1, keepdim=True)
            correct += pred.eq(target.view_as(pred)).sum().item()

    test_loss /= len(test_loader.dataset)
    accuracy = 100. * correct / len(test_loader.dataset)
    print('\nTest set: Average loss: {:.4f}, Accuracy: {}/{} ({:.0f}%)\n'.format(
        test_loss, correct, len(test_loader.dataset), accuracy))
    return test_loss, accuracy


def main():
    parser = argparse.ArgumentParser(description='PyTorch shapes example')
    parser.add_argument('--batch-size', type=int, default=32, metavar='N')
    parser.add_argument('--test-batch-size', type=int, default=128, metavar='N')
    parser.add_argument('--epochs', type=int, default=6, metavar='N')
    parser.add_argument('--lr', type=float, default=1.5, metavar='LR')
    parser.add_argument('--gamma', type=float, default=0.7, metavar='M')
    parser.add_argument('--seed', type=int, default=1, metavar='S')
    parser.add_argument('--log-interval', type=int, default=10, metavar='N')
    parser.add_argument('--save-model', action='store_true', default=False)
    args = parser.parse_args()

    torch.manual_seed(args.seed)
    device = torch.device("cuda" if torch.cuda.is_available() else "cpu")

    train_kwargs = {'batch_size': args.batch_size, 'shuffle': True}
    test_kwargs = {'batch_size': args.test_batch_size}
    dataset1 = Shapes(1024, seed=0, transform=normalize)
    dataset2 = Shapes(256, seed=1, transform=normalize)
    train_loader = DataLoader(dataset1, **train_kwargs)
    test_loader = DataLoader(dataset2, **test_kwargs)

    model = Net().to(device)
    optimizer = optim.Adadelta(model.parameters(), lr=args.lr)

    scheduler = StepLR(optimizer, step_size=1, gamma=args.gamma)
    for epoch in range(1, args.epochs + 1):
        train(args, model, device, train_loader, optimizer, epoch)
        test_loss, accuracy = test(model, device, test_loader)
        scheduler.step()
        print(f"lr now {scheduler.get_last_lr()[0]:.4f}")

    if args.save_model:
        torch.save(model.state_dict(), "shapes_cnn.pt")
        reloaded = Net()
        reloaded.load_state_dict(torch.load("shapes_cnn.pt", weights_only=True))
        print(f"RESULT reloaded_accuracy {test(reloaded, device, test_loader)[1]:.2f}")
    print(f"RESULT test_loss {test_loss:.4f}")
    print(f"RESULT accuracy {accuracy:.2f}")
    print(f"RESULT final_lr {scheduler.get_last_lr()[0]:.6f}")


if __name__ == '__main__':
    main()
