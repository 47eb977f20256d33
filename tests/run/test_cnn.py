"""Program 5: a CNN classifier (pytorch/examples mnist style) on generated shape images:
a Dataset with a transform, DataLoader with shuffling, Conv2d/max_pool2d/Dropout, log_softmax +
nll_loss, Adadelta with StepLR, train/eval modes, state_dict save and weights-only reload."""
from _run_programs import results, run_both


def test_cnn_classifier(tmp_path):
    r = run_both(tmp_path, 'cnn/main.py', ['--save-model'])
    t, e = results(r['torch'][0][1]), results(r['ember'][0][1])
    # 4 classes (chance 25%, loss ln 4 = 1.39); after 6 epochs torch reaches 95-99% and a test
    # loss of 0.07-0.2 depending on the seed; ember's run must land in the same band
    assert e['accuracy'] > 88 and abs(e['accuracy'] - t['accuracy']) < 8, (e, t)
    assert abs(e['test_loss'] - t['test_loss']) < 0.2, (e, t)
    assert e['reloaded_accuracy'] == e['accuracy']
    assert e['final_lr'] == t['final_lr'] == round(1.5 * 0.7 ** 6, 6)
    assert 'touched no torch API that ember lacks' in r['ember'][0][2]
