from __future__ import annotations

import subprocess
import sys

import pytest

import pai_algos_native
from pai_algos_native import _config, kernels


def test_kernels_returns_domain_modules():
    for domain in pai_algos_native.DOMAINS:
        assert kernels(domain, "cpu").__name__ == f"pai_algos_native.cpu.{domain}"


@pytest.mark.parametrize("domain", ["linear", "linear_gram", "linear_sgd", "cluster"])
def test_cuda_modules_mirror_cpu_names(domain):
    # importing a CUDA module needs no driver; launching its kernels does
    cpu, cuda = kernels(domain, "cpu"), kernels(domain, "cuda")
    public = [
        name
        for name, obj in vars(cuda).items()
        if callable(obj)
        and not name.startswith("_")
        and getattr(obj, "__module__", "") == cuda.__name__
    ]
    assert public, f"pai_algos_native.cuda.{domain} exposes no public function"
    missing = [name for name in public if not hasattr(cpu, name)]
    assert not missing, f"CUDA functions without a CPU twin: {missing}"


def test_unknown_domain_or_device():
    with pytest.raises(ValueError, match="No cpu kernels for domain 'nope'"):
        kernels("nope", "cpu")
    with pytest.raises(ValueError, match="device must be 'cpu' or 'cuda'"):
        kernels("linear", "gpu")


def test_import_compiles_nothing_and_touches_no_driver():
    code = (
        "import sys, pai_algos, pai_algos_native, pai_algos.base, pai_algos.registry;"
        "print('numba.cuda' in sys.modules, any(m.startswith('numba_cuda') for m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["False", "False"]


def test_has_cuda_is_lazy_attribute():
    assert isinstance(pai_algos_native.HAS_CUDA, bool)
    assert pai_algos_native.HAS_CUDA == pai_algos_native.has_cuda()
    with pytest.raises(AttributeError):
        pai_algos_native.NOPE  # noqa: B018


def test_threads_per_block_env(monkeypatch):
    monkeypatch.setenv("PAI_ALGOS_CUDA_TPB", "7")
    assert _config.threads_per_block() == 7
    assert _config.blocks_for(15) == 3
    assert _config.blocks_for(0) == 1
    monkeypatch.delenv("PAI_ALGOS_CUDA_TPB")
    assert _config.threads_per_block() == 128
