package model

import "time"

// EventImportQueued announces an uploaded registry file; its handler runs
// (or resumes) the import job named by the event's aggregate id.
const EventImportQueued = "import.queued"

// Import job states.
const (
	ImportQueued  = "queued"
	ImportRunning = "running"
	ImportDone    = "done"
	ImportFailed  = "failed"
)

// ImportStates labels the job states for the import page.
var ImportStates = Enum{{ImportQueued, "排队中"}, {ImportRunning, "导入中"}, {ImportDone, "已完成"}, {ImportFailed, "失败"}}

// ImportJob is one upload of a registry file (an export of the national
// system, docs/import-format.md) and its progress. The file itself lives in
// ImportChunk rows so every server can read it. NextRow is the resume point:
// every data row before it was committed together with the counters, so a
// job interrupted midway continues there without counting twice.
type ImportJob struct {
	ID           int64  `gorm:"primaryKey;autoIncrement:false"`
	CountyCode   string `gorm:"size:6;not null;index"` // "" when the uploader sees every region (admin)
	Scopes       string `gorm:"size:200;not null"`     // the uploader's region prefixes, comma-separated; "" = all
	UploadedBy   int64  `gorm:"not null;index"`
	UploaderRole string `gorm:"size:16;not null"`
	FileName     string `gorm:"size:200;not null"`
	Format       string `gorm:"size:8;not null"` // xlsx or csv
	Size         int64  `gorm:"not null"`
	Chunks       int    `gorm:"not null"`
	SHA256       string `gorm:"column:sha256;size:64;not null"`
	Status       string `gorm:"size:10;not null;index"`
	TotalRows    int    `gorm:"not null;default:0"` // data rows in the file, known once counted
	Processed    int    `gorm:"not null;default:0"`
	Created      int    `gorm:"not null;default:0"`
	Updated      int    `gorm:"not null;default:0"`
	Unchanged    int    `gorm:"not null;default:0"`
	Bad          int    `gorm:"not null;default:0"`
	NextRow      int    `gorm:"not null;default:0"` // data rows already committed
	Message      string `gorm:"size:200"`           // why the job failed, in Chinese
	LeaseOwner   string `gorm:"size:40"`
	LeaseUntil   *time.Time
	StartedAt    *time.Time
	FinishedAt   *time.Time
	CreatedAt    time.Time `gorm:"index"`
	UpdatedAt    time.Time
}

// ImportChunk is one piece (up to 1 MiB) of an uploaded file.
type ImportChunk struct {
	JobID int64  `gorm:"primaryKey;autoIncrement:false"`
	Seq   int    `gorm:"primaryKey;autoIncrement:false"`
	Data  []byte `gorm:"type:mediumblob;not null"`
}

// ImportRowError is one problem with one cell of an imported file, for the
// error report. Values are not kept: they may be personal numbers.
type ImportRowError struct {
	ID      int64  `gorm:"primaryKey"`
	JobID   int64  `gorm:"not null;index:idx_import_err,priority:1"`
	Row     int    `gorm:"not null;index:idx_import_err,priority:2"` // the spreadsheet's row number
	Column  string `gorm:"size:32;not null"`
	Message string `gorm:"size:200;not null"`
}

// ImportHousehold maps the national system's household key (户编号, or the
// head's name within the village) to our household, so a re-import finds the
// household it created before.
type ImportHousehold struct {
	HouseholdKey string `gorm:"primaryKey;size:120"` // village code + "|no:" + 户编号, or + "|head:" + 户主姓名
	HouseholdID  int64  `gorm:"not null;index"`
}

// ExportRun records one 异动 export, so the next one starts where it ended.
type ExportRun struct {
	ID         int64     `gorm:"primaryKey;autoIncrement:false"`
	CountyCode string    `gorm:"size:6;not null;index:idx_export_county,priority:1"` // "" = every county (admin)
	AccountID  int64     `gorm:"not null"`
	Since      time.Time `gorm:"not null"`
	Until      time.Time `gorm:"not null;index:idx_export_county,priority:2"`
	Rows       int       `gorm:"not null"`
	CreatedAt  time.Time
}

// importModels lists the registry-import entities (issue 3: import and 异动 export).
func importModels() []any {
	return []any{&ImportJob{}, &ImportChunk{}, &ImportRowError{}, &ImportHousehold{}, &ExportRun{}}
}
