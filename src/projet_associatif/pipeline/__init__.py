"""The build: plan, notebook execution in warm kernels, cache, Quarto's pre-render hook."""
