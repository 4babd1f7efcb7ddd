"""Reading selects into DataFrames (`sql`), the engine's input frames (`engine`), the
checklist reads both sides share (`checklist`) and column sets several reads select alike
(`columns`): below both the read side (`rbm.queries`) and the write side (`rbm.services`),
which may each import them."""
