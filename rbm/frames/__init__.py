"""Reading selects into DataFrames (`sql`), the engine's input frames (`engine`), the
checklist reads both sides share (`checklist`), and the column sets (`columns`) and join
chains (`joins`) several reads share: below both the read side (`rbm.queries`) and the write
side (`rbm.services`), which may each import them."""
