"""Reading selects into DataFrames (`sql`), the engine's input frames (`engine`), the
checklist reads both sides share (`checklist`) and column sets and join chains several reads
share (`columns`, `joins`): below both the read side (`rbm.queries`) and the write side (`rbm.services`),
which may each import them."""
