"""Program 6: L-BFGS with a closure: stacked LSTMCells learning sine waves (pytorch/examples
time_sequence_prediction style, float64, data written with torch.save of a NumPy array), then a
deterministic exponential curve fit with the strong-Wolfe line search."""
import math

from _run_programs import results, run_both


def test_lbfgs_sequence_and_curve_fit(tmp_path):
    r = run_both(tmp_path, 'lbfgs/train.py')
    t, e = results(r['torch'][0][1]), results(r['ember'][0][1])
    # the sine predictor starts from random weights (loss ~0.5) and reaches ~1e-4 in 4 L-BFGS
    # steps; the two runs' random starts put them within a factor of 10 of each other
    assert e['sequence_test_loss'] < 1e-3
    assert abs(math.log10(e['sequence_test_loss'] / t['sequence_test_loss'])) < 1.0, (e, t)
    # the curve fit starts from fixed values: the same optimum to the printed precision
    for k in ('curve_a', 'curve_b', 'curve_c'):
        assert abs(e[k] - t[k]) < 1e-6, (k, e[k], t[k])
    assert abs(e['curve_loss'] - t['curve_loss']) < 1e-9
    assert 'touched no torch API that ember lacks' in r['ember'][0][2]
