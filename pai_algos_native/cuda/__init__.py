"""CUDA kernels (numba.cuda): same function names and signatures as ``pai_algos_native.cpu``.

Each module has three layers, as stumpy's GPU code does: private ``@cuda.jit`` kernels with
grid-stride loops, a host driver that checks, allocates, copies and launches, and the public
function with the CPU twin's signature. Inputs and outputs are host NumPy arrays.
"""
