package model

// paymentModels lists the entities for public notice and payment batches (issue 5).
func paymentModels() []any { return nil }
