"""CPU kernels: `@njit(cache=True, nogil=True[, parallel=True])` functions, one module a domain."""
