from evals.bench_index.cli import main

main()
