"""Top-level runtime settings, type info, backends switches and accelerator queries vs torch."""
import warnings

import pytest
import torch

import ember

FLOAT_DTYPES = ['float16', 'bfloat16', 'float32', 'float64', 'complex64', 'complex128']
INT_DTYPES = ['uint8', 'int8', 'int16', 'int32', 'int64', 'uint16', 'uint32', 'uint64']


@pytest.mark.parametrize('name', FLOAT_DTYPES)
def test_finfo_matches_torch(name):
    t, e = torch.finfo(getattr(torch, name)), ember.finfo(getattr(ember, name))
    for attr in ('bits', 'eps', 'max', 'min', 'tiny', 'smallest_normal', 'resolution', 'dtype'):
        assert getattr(e, attr) == getattr(t, attr), attr
        assert type(getattr(e, attr)) is type(getattr(t, attr)), attr
    assert repr(e) == repr(t) and str(e) == str(t)


@pytest.mark.parametrize('name', INT_DTYPES)
def test_iinfo_matches_torch(name):
    t, e = torch.iinfo(getattr(torch, name)), ember.iinfo(getattr(ember, name))
    for attr in ('bits', 'max', 'min', 'dtype'):
        assert getattr(e, attr) == getattr(t, attr), attr
    assert repr(e) == repr(t)


def test_typeinfo_defaults_and_errors():
    assert repr(ember.finfo()) == repr(torch.finfo())
    assert ember.finfo(ember.float32) == ember.finfo(ember.float32)
    for lib in (torch, ember):
        with pytest.raises(TypeError, match='requires a floating point input type'):
            lib.finfo(lib.int32)
        with pytest.raises(TypeError, match='requires an integer input type'):
            lib.iinfo(lib.float32)
        with pytest.raises(TypeError, match='torch.bool is not supported by torch.iinfo'):
            lib.iinfo(lib.bool)
        with pytest.raises(TypeError, match="must be torch.dtype, not str"):
            lib.finfo('float32')


def test_threads_settings():
    before = ember.get_num_threads()
    try:
        for lib in (torch, ember):
            lib.set_num_threads(1)
            assert lib.get_num_threads() == 1
            with pytest.raises(RuntimeError, match='set_num_threads expects a positive integer'):
                lib.set_num_threads(0)
            with pytest.raises(RuntimeError, match='set_num_threads expects an int, but got str'):
                lib.set_num_threads('a')
            with pytest.raises(RuntimeError, match='set_num_interop_threads expects a positive'):
                lib.set_num_interop_threads(0)
        threadpoolctl = pytest.importorskip('threadpoolctl')
        ember.set_num_threads(1)
        blas = [d for d in threadpoolctl.threadpool_info() if d['user_api'] == 'blas']
        assert all(d['num_threads'] == 1 for d in blas)
    finally:
        ember.set_num_threads(before)
        torch.set_num_threads(before)


def test_default_device_deterministic_and_precision():
    for lib in (torch, ember):
        assert repr(lib.get_default_device()) == "device(type='cpu')"
        lib.set_default_device('cpu')
        assert lib.get_default_device() == lib.device('cpu')
        assert lib.zeros(2).device == lib.device('cpu')
        lib.set_default_device(None)
        with pytest.raises(RuntimeError, match='device type at start of device string: bad'):
            lib.set_default_device('bad')
        assert not lib.are_deterministic_algorithms_enabled()
        lib.use_deterministic_algorithms(True, warn_only=True)
        assert lib.are_deterministic_algorithms_enabled()
        assert lib.is_deterministic_algorithms_warn_only_enabled()
        assert lib.get_deterministic_debug_mode() == 1
        lib.use_deterministic_algorithms(False)
        assert lib.get_deterministic_debug_mode() == 0
        assert lib.get_float32_matmul_precision() == 'highest'
        lib.set_float32_matmul_precision('high')
        assert lib.get_float32_matmul_precision() == 'high'
        with pytest.warns(UserWarning, match="bad is not one of 'highest', 'high', or 'medium'"):
            lib.set_float32_matmul_precision('bad')
        lib.set_float32_matmul_precision('highest')


def test_numel_is_tensor_version():
    for lib in (torch, ember):
        assert lib.numel(lib.ones(2, 3)) == 6
        assert lib.is_tensor(lib.ones(1)) and not lib.is_tensor([1])
        assert lib.version.cuda is None
    assert ember.version.__version__ == ember.__version__
    import importlib
    assert importlib.import_module('ember.version').hip is None


def test_backends_switches_like_torch():
    for lib in (torch, ember):
        b = lib.backends
        assert b.cuda.matmul.allow_tf32 is False
        assert b.cudnn.allow_tf32 is True and b.cudnn.benchmark is False
        assert b.cudnn.deterministic is False and b.cudnn.enabled is True
        b.cudnn.benchmark = True
        assert lib.backends.cudnn.benchmark is True
        b.cudnn.benchmark = False
        assert b.mps.is_available() is False and b.mps.is_built() is False
        assert b.cudnn.is_available() is False and b.cudnn.version() is None
        with pytest.raises(AttributeError, match='Unknown attribute foo'):
            b.cuda.matmul.foo
        with b.cudnn.flags(enabled=False):
            assert b.cudnn.enabled is False
        assert b.cudnn.enabled is True
        assert b.cuda.matmul.allow_bf16_reduced_precision_reduction is True
        assert b.cuda.matmul.allow_fp16_reduced_precision_reduction is True
        assert b.cuda.flash_sdp_enabled() is True
    ember.backends.cuda.matmul.allow_tf32 = True
    assert ember.get_float32_matmul_precision() == 'high'
    ember.backends.cuda.matmul.allow_tf32 = False
    assert ember.get_float32_matmul_precision() == 'highest'


def test_accelerator_cuda_and_cpu_queries():
    for lib in (torch, ember):
        assert lib.accelerator.is_available() == lib.cuda.is_available()
        assert lib.cpu.is_available() is True and lib.cpu.device_count() == 1
        if not lib.cuda.is_available():
            assert lib.accelerator.current_accelerator() is None
            assert lib.accelerator.device_count() == 0
            assert lib.cuda.device_count() == 0
            assert lib.cuda.is_bf16_supported() is False
            assert lib.cuda.manual_seed(1) is None and lib.cuda.manual_seed_all(1) is None
            assert lib.cuda.memory_allocated() == 0 and lib.cuda.is_initialized() is False
            with pytest.raises(AssertionError, match='Torch not compiled with CUDA enabled'):
                lib.cuda.synchronize()
            with pytest.raises(AssertionError, match='Torch not compiled with CUDA enabled'):
                lib.cuda.current_device()
        with pytest.raises(ValueError, match='Expected a cuda device, but got: cpu'):
            lib.cuda.set_device('cpu')


def test_compile_and_jit_run_eagerly():
    from ember import _run
    for lib in (torch, ember):
        m = lib.nn.Linear(3, 2)
        x = lib.ones(4, 3)
        cm = lib.compile(m) if lib is ember else m  # torch's inductor is slow to start in a test
        assert lib.allclose(cm(x), m(x))

        @lib.jit.ignore
        def helper(x):
            return x * 2
        assert lib.equal(helper(x), x * 2)
        assert lib.jit.is_scripting() is False
    sm = ember.jit.script(ember.nn.Linear(3, 2))
    assert isinstance(sm, ember.nn.Linear)
    tr = ember.jit.trace(lambda x: x + 1, ember.ones(2))
    assert ember.equal(tr(ember.ones(2)), ember.full((2,), 2.0))

    @ember.compile
    def f(x):
        return x + 1

    @ember.compile(mode='reduce-overhead', fullgraph=True)
    def g(x):
        return x + 2
    assert f(1) == 2 and g(1) == 3
    with pytest.raises(RuntimeError, match='Either mode or options can be specified'):
        ember.compile(f, mode='default', options={})
    for name in ('torch.compile', 'torch.jit.script', 'torch.jit.trace'):
        assert name in _run.approximated
    with pytest.raises(NotImplementedError, match='torch.jit.save is not available in ember'):
        ember.jit.save(sm, 'x.pt')


def test_hub_and_onnx_fail_clearly():
    with pytest.raises(NotImplementedError, match='torch.hub.load is not available in ember'):
        ember.hub.load('pytorch/vision', 'resnet18')
    assert ember.hub.get_dir().endswith('hub')
    with pytest.raises(NotImplementedError, match='torch.onnx.export is not available in ember'):
        ember.onnx.export(ember.nn.Linear(2, 2), (ember.ones(1, 2),), 'm.onnx')
    assert ember.onnx.is_in_onnx_export() is False


def test_random_module_and_fork_rng():
    for lib in (torch, ember):
        g = lib.random.manual_seed(3)
        assert isinstance(g, lib.Generator) and g is lib.random.default_generator
        assert lib.random.initial_seed() == 3
        a = lib.rand(3)
        with lib.random.fork_rng():
            lib.rand(5)
        b = lib.rand(3)
        lib.manual_seed(3)
        lib.rand(3)
        assert lib.equal(lib.rand(3), b)
        assert not lib.equal(a, b)


def test_serialization_safe_globals_reachable():
    for lib in (torch, ember):
        class Box:
            pass
        with lib.serialization.safe_globals([Box]):
            assert Box in lib.serialization.get_safe_globals()
        lib.serialization.add_safe_globals([Box])
        lib.serialization.clear_safe_globals()


def test_missing_submodule_attributes_name_the_torch_api():
    from ember import _run
    cases = [(ember.cuda, 'torch.cuda.no_such'), (ember.backends, 'torch.backends.no_such'),
             (ember.utils, 'torch.utils.no_such'), (ember.amp, 'torch.amp.no_such'),
             (ember.testing, 'torch.testing.no_such'), (ember.jit, 'torch.jit.no_such')]
    for mod, name in cases:
        with pytest.raises(AttributeError, match=name.replace('.', r'\.') + ' is not available'):
            getattr(mod, 'no_such')
        assert name in _run.missing
    with warnings.catch_warnings():
        warnings.simplefilter('error')
        assert ember.utils.checkpoint.checkpoint is not None
