package model

// formModels lists the collection-form entities (issue 3: verification).
func formModels() []any { return nil }
