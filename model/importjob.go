package model

// importModels lists the registry-import entities (issue 3: import and 异动 export).
func importModels() []any { return nil }
