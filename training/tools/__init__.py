"""Tools around training runs (run from the repository root):

* ``python -m training.tools.keep_run <run>``: keep a run in ``training/resume/`` so that a fresh machine resumes it;
* ``python -m training.tools.compare_resume``: does resuming from the compact checkpoint set a run back;
* ``python -m training.tools.bench_step``: time training iterations of a preset;
* ``tools/device_run.sh``: the prepared GPU run (continues the kept CPU run on CUDA).
"""
