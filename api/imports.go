package api

import (
	"bytes"
	"errors"
	"io"
	"mime"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/jiuyebang/jiuyebang/model"
	"github.com/jiuyebang/jiuyebang/service/apperr"
	"github.com/jiuyebang/jiuyebang/service/importer"
	"github.com/jiuyebang/jiuyebang/service/status"
)

// mountImports registers the registry import and 异动 export routes on the
// authenticated group (issue 3, items 7 and 8): the county task force for its
// county, and admins.
func (s *Server) mountImports(in *gin.RouterGroup) {
	g := in.Group("", roles(model.RoleTaskforce, model.RoleAdmin))
	g.POST("/imports", s.uploadImport)
	g.GET("/imports", s.listImports)
	g.GET("/imports/template", s.importTemplate)
	g.GET("/imports/:id", s.getImport)
	g.GET("/imports/:id/errors", s.importErrors)
	g.GET("/changes", s.listChanges)
	g.GET("/changes/export", s.exportChanges)
}

// importJobView is an import job's progress as the import page shows it.
type importJobView struct {
	ID          string  `json:"id"`
	FileName    string  `json:"file_name"`
	Format      string  `json:"format"`
	Size        int64   `json:"size"`
	Status      string  `json:"status"`
	StatusLabel string  `json:"status_label"`
	CountyCode  string  `json:"county_code"`
	UploadedBy  string  `json:"uploaded_by"`
	TotalRows   int     `json:"total_rows"`
	Processed   int     `json:"processed"`
	Created     int     `json:"created"`
	Updated     int     `json:"updated"`
	Unchanged   int     `json:"unchanged"`
	Bad         int     `json:"bad"`
	Message     string  `json:"message"`
	CreatedAt   string  `json:"created_at"`
	StartedAt   *string `json:"started_at"`
	FinishedAt  *string `json:"finished_at"`
	ErrorsURL   *string `json:"errors_url"`
}

func toImportJobView(j *model.ImportJob) importJobView {
	v := importJobView{ID: idString(j.ID), FileName: j.FileName, Format: j.Format, Size: j.Size, Status: j.Status,
		StatusLabel: model.ImportStates.Label(j.Status), CountyCode: j.CountyCode, UploadedBy: idString(j.UploadedBy),
		TotalRows: j.TotalRows, Processed: j.Processed, Created: j.Created, Updated: j.Updated, Unchanged: j.Unchanged,
		Bad: j.Bad, Message: j.Message, CreatedAt: stamp(j.CreatedAt), StartedAt: optStamp(j.StartedAt),
		FinishedAt: optStamp(j.FinishedAt)}
	if j.Bad > 0 {
		u := "/api/v1/imports/" + v.ID + "/errors"
		v.ErrorsURL = &u
	}
	return v
}

// uploadImport streams the multipart part "file" into the importer, which
// stores it in chunks; the file is never held whole.
func (s *Server) uploadImport(c *gin.Context) {
	mt, _, err := mime.ParseMediaType(c.GetHeader("Content-Type"))
	if err != nil || mt != "multipart/form-data" {
		fail(c, apperr.New(apperr.KindValidation, "unsupported_media_type", "请以 multipart/form-data 上传文件（字段名 file）"))
		return
	}
	c.Request.Body = http.MaxBytesReader(c.Writer, c.Request.Body, importer.MaxUpload+1<<20)
	mr, err := c.Request.MultipartReader()
	if err != nil {
		fail(c, apperr.Invalid("file", "invalid_multipart", "上传内容格式不对，请重新选择文件"))
		return
	}
	for {
		part, err := mr.NextPart()
		if errors.Is(err, io.EOF) {
			fail(c, apperr.Invalid("file", "required", "请选择要导入的文件"))
			return
		}
		if err != nil {
			var mbe *http.MaxBytesError
			if errors.As(err, &mbe) {
				fail(c, apperr.New(apperr.KindTooLarge, "body_too_large", "提交的内容太大"))
				return
			}
			fail(c, apperr.Invalid("file", "invalid_multipart", "上传内容格式不对，请重新选择文件"))
			return
		}
		if part.FormName() != "file" {
			_ = part.Close()
			continue
		}
		job, err := s.Importer.Upload(c.Request.Context(), part.FileName(), part)
		_ = part.Close()
		if err != nil {
			fail(c, err)
			return
		}
		c.JSON(http.StatusAccepted, toImportJobView(job))
		return
	}
}

func (s *Server) listImports(c *gin.Context) {
	page, size, err := paging(c, 20, 100)
	if err != nil {
		fail(c, err)
		return
	}
	jobs, total, err := s.Importer.List(c.Request.Context(), page, size)
	if err != nil {
		fail(c, err)
		return
	}
	items := make([]importJobView, len(jobs))
	for i := range jobs {
		items[i] = toImportJobView(&jobs[i])
	}
	c.JSON(http.StatusOK, importJobPage{Items: items, Total: total, Page: page, PageSize: size})
}

type importJobPage struct {
	Items    []importJobView `json:"items"`
	Total    int64           `json:"total"`
	Page     int             `json:"page"`
	PageSize int             `json:"page_size"`
}

func (s *Server) getImport(c *gin.Context) {
	id, err := pathID(c)
	if err != nil {
		fail(c, err)
		return
	}
	job, err := s.Importer.Get(c.Request.Context(), id)
	if err != nil {
		fail(c, err)
		return
	}
	c.JSON(http.StatusOK, toImportJobView(job))
}

const xlsxType = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

// sendXLSX answers with a workbook as a download named name.
func sendXLSX(c *gin.Context, name string, body []byte) {
	c.Header("Content-Disposition", "attachment; filename=\"export.xlsx\"; filename*=UTF-8''"+url.PathEscape(name))
	c.Header("Cache-Control", "no-store")
	c.Data(http.StatusOK, xlsxType, body)
}

func (s *Server) importTemplate(c *gin.Context) {
	var b bytes.Buffer
	if err := importer.Template(&b); err != nil {
		fail(c, err)
		return
	}
	sendXLSX(c, "劳动力台账导入模板.xlsx", b.Bytes())
}

func (s *Server) importErrors(c *gin.Context) {
	id, err := pathID(c)
	if err != nil {
		fail(c, err)
		return
	}
	// The report is built first so a missing job is a clean 404, not half a file.
	var b bytes.Buffer
	if err := s.Importer.ErrorReport(c.Request.Context(), id, &b); err != nil {
		fail(c, err)
		return
	}
	sendXLSX(c, "导入错误明细-"+idString(id)+".xlsx", b.Bytes())
}

// changeFieldView is one changed field of a 异动 line.
type changeFieldView struct {
	Field string `json:"field"`
	Label string `json:"label"`
	Old   string `json:"old"`
	New   string `json:"new"`
}

// changeView is one confirmed change of a labourer's ledger entry.
type changeView struct {
	ID          string            `json:"id"`
	LabourerID  string            `json:"labourer_id"`
	Name        string            `json:"name"`
	IDMasked    string            `json:"id_masked"`
	VillageCode string            `json:"village_code"`
	VillageName string            `json:"village_name"`
	At          string            `json:"at"`
	Source      string            `json:"source"`
	SourceLabel string            `json:"source_label"`
	Fields      []changeFieldView `json:"fields"`
}

type changePage struct {
	Items    []changeView `json:"items"`
	Total    int64        `json:"total"`
	Page     int          `json:"page"`
	PageSize int          `json:"page_size"`
	Since    *string      `json:"since"`
}

// changeQuery reads county and since (RFC 3339, or a date in China time).
func changeQuery(c *gin.Context) (importer.ChangeQuery, error) {
	q := importer.ChangeQuery{County: strings.TrimSpace(c.Query("county"))}
	if v := strings.TrimSpace(c.Query("since")); v != "" {
		t, err := time.Parse(time.RFC3339, v)
		if err != nil {
			t, err = time.ParseInLocation("2006-01-02", v, status.China)
		}
		if err != nil || t.Year() < 2000 || t.After(time.Now().Add(24*time.Hour)) {
			return q, apperr.Invalid("since", "invalid_date", "起始时间格式应为 2026-01-31 或 2026-01-31T08:00:00+08:00")
		}
		q.Since = &t
	}
	return q, nil
}

func (s *Server) listChanges(c *gin.Context) {
	q, err := changeQuery(c)
	if err != nil {
		fail(c, err)
		return
	}
	if q.Page, q.PageSize, err = paging(c, 20, 100); err != nil {
		fail(c, err)
		return
	}
	lines, total, since, err := s.Importer.Changes(c.Request.Context(), q)
	if err != nil {
		fail(c, err)
		return
	}
	out := changePage{Items: make([]changeView, len(lines)), Total: total, Page: q.Page, PageSize: q.PageSize}
	if !since.IsZero() {
		v := stamp(since)
		out.Since = &v
	}
	for i, l := range lines {
		v := changeView{ID: idString(l.ID), LabourerID: idString(l.LabourerID), Name: l.Name, IDMasked: l.IDMasked,
			VillageCode: l.VillageCode, VillageName: l.VillageName, At: stamp(l.At), Source: l.Source,
			SourceLabel: l.SourceLabel, Fields: make([]changeFieldView, len(l.Fields))}
		for j, f := range l.Fields {
			v.Fields[j] = changeFieldView{Field: f.Field, Label: f.Label, Old: f.Old, New: f.New}
		}
		out.Items[i] = v
	}
	c.JSON(http.StatusOK, out)
}

func (s *Server) exportChanges(c *gin.Context) {
	q, err := changeQuery(c)
	if err != nil {
		fail(c, err)
		return
	}
	var b bytes.Buffer
	run, err := s.Importer.ExportChanges(c.Request.Context(), q, &b)
	if err != nil {
		fail(c, err)
		return
	}
	c.Header("X-Export-Run", idString(run.ID))
	sendXLSX(c, "异动清单-"+run.Until.In(status.China).Format("20060102-1504")+".xlsx", b.Bytes())
}
