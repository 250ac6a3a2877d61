// Package importer loads the labourer registry from the national system's
// export (.xlsx or .csv in the layout of docs/import-format.md) and writes
// the 异动 export back (seed 002 填表说明 5: confirmed data enters the
// national system; what changed is exported from ours).
//
// An upload is stored in the database in 1 MiB chunks, so any server can run
// the job, and announced with an outbox event in the same transaction. The
// job streams the file (encoding/csv, or excelize's Rows iterator), validates
// each row like the form's 基本信息 block, and writes batches of rows in one
// transaction each together with the job's counters and resume point. Rows
// are matched by the 身份证 blind index, so a re-import of the same file
// changes nothing and a job interrupted midway resumes without duplicates.
// Every bad row is reported (row, column, Chinese message) while every good
// row is imported.
package importer

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"time"

	"gorm.io/gorm"

	"github.com/jiuyebang/jiuyebang/model"
	"github.com/jiuyebang/jiuyebang/service/actor"
	"github.com/jiuyebang/jiuyebang/service/apperr"
	"github.com/jiuyebang/jiuyebang/service/audit"
	"github.com/jiuyebang/jiuyebang/service/infra"
	"github.com/jiuyebang/jiuyebang/service/outbox"
	"github.com/jiuyebang/jiuyebang/service/pii"
	"github.com/jiuyebang/jiuyebang/service/registry"
)

// Limits.
const (
	ChunkSize = 1 << 20   // bytes per stored chunk
	MaxUpload = 300 << 20 // bytes per file (SECURITY.md 18)
	// DefaultBatch rows are written per transaction.
	DefaultBatch = 1000
	// leaseTTL is how long a job stays claimed without a heartbeat; every
	// batch renews it, so only a dead runner's job is taken over.
	leaseTTL = 2 * time.Minute
	// MaxErrorsKept caps the stored cell errors per job; the bad-row count
	// stays exact beyond it.
	MaxErrorsKept = 200000
	maxPageSize   = 100
)

// Regions is what the importer needs from the region service.
type Regions interface {
	Get(code string) (model.Region, bool)
	ValidateWorkPlace(home, place string) error
	PlaceScope(home, place string) string
}

// Options tune a Service; zero values take the defaults.
type Options struct {
	Batch     int   // rows per transaction
	MaxUpload int64 // bytes per file (default MaxUpload)
	// Writers is how many batches are written at once: 1 on SQLite (one
	// writer), 3 on MySQL by default. With more than one, the resume point
	// is the end of the longest run of committed batches, written after
	// them; a batch committed past it is read again on resume and counted
	// as unchanged, never duplicated.
	Writers int
	TmpDir  string // for .xlsx files while they are read ("" = the system's)
	Now     func() time.Time
	Logger  *slog.Logger
}

// Service is the registry import and 异动 export capability.
type Service struct {
	db       *gorm.DB
	box      *pii.Box
	registry *registry.Service
	regions  Regions
	opt      Options
	owner    string // this process's lease name

	mu      sync.Mutex
	running map[int64]bool
	wg      sync.WaitGroup
	bg      context.Context
	stop    context.CancelFunc

	afterBatch func(end int) // tests: called after each committed batch
}

// New builds the importer.
func New(db *gorm.DB, box *pii.Box, reg *registry.Service, regions Regions, opt Options) *Service {
	if opt.Batch <= 0 {
		opt.Batch = DefaultBatch
	}
	if opt.Writers <= 0 {
		opt.Writers = 3
		if infra.Dialect(db) == infra.DialectSQLite {
			opt.Writers = 1
		}
	}
	if opt.MaxUpload <= 0 {
		opt.MaxUpload = MaxUpload
	}
	if opt.Now == nil {
		opt.Now = time.Now
	}
	if opt.Logger == nil {
		opt.Logger = slog.Default()
	}
	opt.Logger = opt.Logger.With("component", "importer")
	b := make([]byte, 6)
	_, _ = rand.Read(b)
	bg, stop := context.WithCancel(context.Background())
	return &Service{db: db, box: box, registry: reg, regions: regions, opt: opt, owner: "imp-" + hex.EncodeToString(b),
		running: map[int64]bool{}, bg: bg, stop: stop}
}

// Shutdown stops jobs this process runs (they resume elsewhere or later
// from their last committed batch) and waits for them.
func (s *Service) Shutdown() {
	s.stop()
	s.wg.Wait()
}

func (s *Service) now() time.Time { return s.opt.Now().UTC().Truncate(time.Microsecond) }

// canImport: the task force for its county, and admins.
func canImport(a *actor.Actor) bool {
	return a.Is(model.RoleTaskforce, model.RoleAdmin) || a.Role == "system"
}

// Upload stores a file and queues its import. The format is sniffed from
// the content: a zip is read as .xlsx, text as .csv; anything else is a 400.
func (s *Service) Upload(ctx context.Context, fileName string, r io.Reader) (*model.ImportJob, error) {
	a := actor.From(ctx)
	if !canImport(a) {
		return nil, apperr.Forbidden("")
	}
	job := &model.ImportJob{ID: model.NewID(), UploadedBy: a.AccountID, UploaderRole: string(a.Role),
		FileName: cleanName(fileName), Status: model.ImportQueued}
	if !a.AllRegions() {
		if len(a.Scopes) == 0 {
			return nil, apperr.Forbidden("您的账号没有管辖地区，不能导入")
		}
		job.Scopes = strings.Join(a.Scopes, ",")
		job.CountyCode = model.Ancestor(a.Scopes[0], model.LevelCounty)
	}
	lr := io.LimitReader(r, s.opt.MaxUpload+1)
	first := make([]byte, ChunkSize)
	n, err := io.ReadFull(lr, first)
	if err != nil && !errors.Is(err, io.ErrUnexpectedEOF) && !errors.Is(err, io.EOF) {
		return nil, readErr(err)
	}
	first = first[:n]
	head := first
	if len(head) > 64<<10 {
		head = head[:64<<10]
	}
	if job.Format, err = sniff(head); err != nil {
		return nil, err
	}
	sum := sha256.New()
	// Not infra.Tx: the upload streams from the request body, which cannot be read twice.
	err = s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if err := tx.Create(job).Error; err != nil {
			return err
		}
		buf := first
		for seq := 0; len(buf) > 0; seq++ {
			job.Size += int64(len(buf))
			if job.Size > s.opt.MaxUpload {
				return apperr.New(apperr.KindTooLarge, "file_too_large", fmt.Sprintf("文件不能超过 %d MB", s.opt.MaxUpload>>20))
			}
			sum.Write(buf)
			if err := tx.Create(&model.ImportChunk{JobID: job.ID, Seq: seq, Data: buf}).Error; err != nil {
				return err
			}
			job.Chunks = seq + 1
			buf = make([]byte, ChunkSize)
			n, err := io.ReadFull(lr, buf)
			if err != nil && !errors.Is(err, io.ErrUnexpectedEOF) && !errors.Is(err, io.EOF) {
				return readErr(err)
			}
			buf = buf[:n]
		}
		job.SHA256 = hex.EncodeToString(sum.Sum(nil))
		if err := tx.Model(job).Select("size", "chunks", "sha256").Updates(job).Error; err != nil {
			return err
		}
		if _, err := outbox.Add(ctx, tx, model.EventImportQueued, job.ID, map[string]any{"job_id": job.ID}); err != nil {
			return err
		}
		return audit.Write(ctx, tx, audit.Entry{Action: "import.upload", SubjectType: "import_job", SubjectID: job.ID,
			After: map[string]any{"file": job.FileName, "format": job.Format, "size": job.Size, "sha256": job.SHA256, "scopes": job.Scopes}})
	})
	if err != nil {
		if _, ok := apperr.As(err); ok {
			return nil, err
		}
		return nil, fmt.Errorf("upload import: %w", err)
	}
	return job, nil
}

func readErr(err error) error {
	var mbe *http.MaxBytesError
	if errors.As(err, &mbe) {
		return apperr.New(apperr.KindTooLarge, "file_too_large", fmt.Sprintf("文件不能超过 %d MB", MaxUpload>>20))
	}
	return apperr.Invalid("file", "upload_failed", "文件上传不完整，请重新上传")
}

// cleanName keeps a file name printable and short.
func cleanName(n string) string {
	n = strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7f {
			return -1
		}
		return r
	}, n)
	if i := strings.LastIndexAny(n, `/\`); i >= 0 {
		n = n[i+1:]
	}
	if r := []rune(n); len(r) > 100 {
		n = string(r[:100])
	}
	if n == "" {
		n = "未命名"
	}
	return n
}

// visible limits job queries to what the caller may see: admins every job,
// the task force the jobs of its county.
func visible(q *gorm.DB, a *actor.Actor) *gorm.DB {
	if a.AllRegions() {
		return q
	}
	if !a.Is(model.RoleTaskforce) || len(a.Scopes) == 0 {
		return q.Where("1 = 0")
	}
	counties := make([]string, 0, len(a.Scopes))
	for _, sc := range a.Scopes {
		counties = append(counties, model.Ancestor(sc, model.LevelCounty))
	}
	return q.Where("county_code IN ?", counties)
}

// Get returns a job in the caller's scope (404 otherwise).
func (s *Service) Get(ctx context.Context, id int64) (*model.ImportJob, error) {
	a := actor.From(ctx)
	if !canImport(a) {
		return nil, apperr.Forbidden("")
	}
	var job model.ImportJob
	err := visible(s.db.WithContext(ctx).Model(&model.ImportJob{}), a).Where("id = ?", id).Take(&job).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return nil, apperr.NotFound("导入任务")
	}
	if err != nil {
		return nil, fmt.Errorf("get import: %w", err)
	}
	return &job, nil
}

// List returns the caller's jobs, newest first.
func (s *Service) List(ctx context.Context, page, size int) ([]model.ImportJob, int64, error) {
	a := actor.From(ctx)
	if !canImport(a) {
		return nil, 0, apperr.Forbidden("")
	}
	if size <= 0 || size > maxPageSize {
		size = 20
	}
	if page < 1 {
		page = 1
	}
	q := visible(s.db.WithContext(ctx).Model(&model.ImportJob{}), a)
	var total int64
	if err := q.Count(&total).Error; err != nil {
		return nil, 0, fmt.Errorf("list imports: %w", err)
	}
	var jobs []model.ImportJob
	if err := q.Order("created_at DESC, id DESC").Offset((page - 1) * size).Limit(size).Find(&jobs).Error; err != nil {
		return nil, 0, fmt.Errorf("list imports: %w", err)
	}
	return jobs, total, nil
}

// errStillRunning makes the outbox retry the event later: it is done only
// when the job is, so a job whose runner died is picked up again.
var errStillRunning = errors.New("import job still running")

// Handle is the outbox handler of EventImportQueued. It cannot run the job
// inside the handler's transaction (progress must be visible as it goes, and
// on SQLite the one connection is the transaction's), so it starts the job in
// this process — unless it is already running here or holds a live lease
// elsewhere — and answers "still running" until the job has finished; then
// the event is marked done. Every delivery is harmless: the lease admits one
// runner and the blind index makes a restarted batch a no-op.
func (s *Service) Handle(ctx context.Context, tx *gorm.DB, ev model.OutboxEvent) error {
	var job model.ImportJob
	err := tx.WithContext(ctx).Select("id", "status").Where("id = ?", ev.AggregateID).Take(&job).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return nil // deleted: nothing to do
	}
	if err != nil {
		return err
	}
	if job.Status == model.ImportDone || job.Status == model.ImportFailed {
		return nil
	}
	s.Start(job.ID)
	return errStillRunning
}

// Start runs a job in the background in this process, once.
func (s *Service) Start(id int64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.running[id] || s.bg.Err() != nil {
		return
	}
	s.running[id] = true
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		defer func() {
			s.mu.Lock()
			delete(s.running, id)
			s.mu.Unlock()
		}()
		if err := s.Run(s.bg, id); err != nil && !errors.Is(err, context.Canceled) {
			s.opt.Logger.Error("import job stopped; it resumes on the next delivery", "job", id, "err", err.Error())
		}
	}()
}

// ErrLeased is returned by Run when another runner holds the job.
var ErrLeased = errors.New("import job is held by another runner")

// claim takes the job's lease if it is free or expired.
func (s *Service) claim(ctx context.Context, id int64) (bool, error) {
	now := s.now()
	res := s.db.WithContext(ctx).Model(&model.ImportJob{}).
		Where("id = ? AND status IN ? AND (lease_owner = ? OR lease_until IS NULL OR lease_until < ?)",
			id, []string{model.ImportQueued, model.ImportRunning}, s.owner, now).
		Updates(map[string]any{"status": model.ImportRunning, "lease_owner": s.owner, "lease_until": now.Add(leaseTTL),
			"started_at": gorm.Expr("COALESCE(started_at, ?)", now)})
	if res.Error != nil {
		return false, res.Error
	}
	return res.RowsAffected == 1, nil
}

// finish ends a job (done or failed) if this runner still holds it.
func (s *Service) finish(ctx context.Context, id int64, status, msg string, total int) error {
	now := s.now()
	upd := map[string]any{"status": status, "message": msg, "finished_at": now, "lease_owner": "", "lease_until": nil}
	if total >= 0 {
		upd["total_rows"] = total
	}
	res := s.db.WithContext(ctx).Model(&model.ImportJob{}).Where("id = ? AND lease_owner = ?", id, s.owner).Updates(upd)
	if res.Error != nil {
		return res.Error
	}
	if res.RowsAffected != 1 {
		return ErrLeased
	}
	return nil
}
