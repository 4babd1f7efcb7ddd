"""Reading selects into DataFrames (`sql`) and the engine's input frames (`engine`): below both
the read side (`rbm.queries`) and the write side (`rbm.services`), which may each import them."""
