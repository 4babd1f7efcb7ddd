"""Reading selects into DataFrames (`sql`), the engine's input frames (`engine`) and the
checklist reads both sides share (`checklist`): below both the read side (`rbm.queries`) and
the write side (`rbm.services`), which may each import them."""
