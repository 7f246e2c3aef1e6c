"""Side-by-side benchmarks: ours against the peer, same process, same data, alternating."""
