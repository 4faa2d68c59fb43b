// An empty ES module: the benchmark's floor for importing anything (bench/lib/variants.ts).
export {};
