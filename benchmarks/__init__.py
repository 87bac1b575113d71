"""Speed and memory benchmarks on SYNTHETIC national-scale QCEW data (see README.md)."""
