package api

import (
	"context"
	"net/http"
	"strconv"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/jiuyebang/jiuyebang/model"
	"github.com/jiuyebang/jiuyebang/service/apperr"
	"github.com/jiuyebang/jiuyebang/service/status"
	"github.com/jiuyebang/jiuyebang/service/verify"
)

// mountVerify registers the verify routes on the authenticated group (issue 3):
// the prefilled form, submission, the task force's review queue, the monthly
// tasks and completion, and the worker's own confirmation of a visit.
func (s *Server) mountVerify(in *gin.RouterGroup) {
	collect := roles(model.RoleCadre, model.RoleTaskforce, model.RoleAdmin)
	review := roles(model.RoleTaskforce, model.RoleAdmin)
	read := roles(model.RoleCadre, model.RoleTaskforce, model.RoleOfficial, model.RoleAdmin)
	in.GET("/labourers/:id/form", collect, s.prefillForm)
	in.POST("/forms", collect, s.submitForm)
	in.GET("/forms", read, s.listForms)
	in.GET("/forms/:id", read, s.getForm)
	in.GET("/forms/:id/images/:image_id", read, s.formImage)
	in.POST("/forms/:id/confirm", review, s.confirmForm)
	in.POST("/forms/:id/reject", review, s.rejectForm())
	in.GET("/reviews", review, s.reviewQueue)
	in.POST("/reviews/batch", review, s.reviewBatch)
	in.POST("/self-reports/:id/confirm", review, s.confirmSelfReport)
	in.POST("/self-reports/:id/reject", review, s.rejectSelfReport)
	in.GET("/verify/tasks", collect, s.verifyTasks)
	in.GET("/verify/completion", roles(model.RoleTaskforce, model.RoleOfficial, model.RoleAdmin), s.verifyCompletion)
	in.GET("/me/forms", roles(model.RoleWorker), s.myForms)
	in.POST("/me/forms/:id/confirm", roles(model.RoleWorker), s.confirmMyVisit)
}

type formSubmitRequest struct {
	IdempotencyKey string       `json:"idempotency_key"`
	LabourerID     string       `json:"labourer_id"`
	BaseVersion    int          `json:"base_version"`
	Form           verify.Form  `json:"form"`
	Proof          verify.Proof `json:"proof"`
}

type imageView struct {
	ID   string `json:"id"`
	Kind string `json:"kind"`
	Mime string `json:"mime"`
	Size int    `json:"size"`
}

type formView struct {
	ID                string           `json:"id"`
	IdempotencyKey    string           `json:"idempotency_key"`
	LabourerID        string           `json:"labourer_id"`
	VillageCode       string           `json:"village_code"`
	VillageName       string           `json:"village_name"`
	Month             string           `json:"month"`
	State             string           `json:"state"`
	StateLabel        string           `json:"state_label"`
	Verification      string           `json:"verification"`
	VerificationLabel string           `json:"verification_label"`
	BaseVersion       int              `json:"base_version"`
	CountsAsWorker    bool             `json:"counts_as_worker"`
	VisitedAt         string           `json:"visited_at"`
	Location          *verify.Location `json:"location"`
	ConfirmMethod     string           `json:"confirm_method"`
	WorkerConfirmed   bool             `json:"worker_confirmed"`
	Attempts          []verify.Attempt `json:"attempts"`
	SubmittedBy       string           `json:"submitted_by"`
	SubmittedAt       string           `json:"submitted_at"`
	ReviewedAt        *string          `json:"reviewed_at"`
	RejectReason      string           `json:"reject_reason"`
	Form              *verify.Form     `json:"form,omitempty"`
	Images            []imageView      `json:"images,omitempty"`
}

// stamp writes a time in China time, RFC 3339; optStamp the same or null.
func stamp(t time.Time) string { return t.In(verify.China).Format(time.RFC3339) }

func optStamp(t *time.Time) *string {
	if t == nil {
		return nil
	}
	s := stamp(*t)
	return &s
}

func (s *Server) toFormView(f *model.VerifyForm, whole bool) formView {
	v := formView{ID: idString(f.ID), IdempotencyKey: f.IdempotencyKey, LabourerID: idString(f.LabourerID),
		VillageCode: f.VillageCode, VillageName: regionName(s.Regions, f.VillageCode), Month: f.Period, State: f.State,
		StateLabel: model.FormStates.Label(f.State), Verification: f.Verification,
		VerificationLabel: model.Verifications.Label(f.Verification), BaseVersion: f.BaseVersion,
		CountsAsWorker: f.CountsAsWorker, VisitedAt: stamp(f.VisitedAt), ConfirmMethod: f.ConfirmMethod,
		WorkerConfirmed: f.WorkerConfirmedAt != nil, Attempts: verify.AttemptsOf(f), SubmittedBy: idString(f.SubmittedBy),
		SubmittedAt: stamp(f.SubmittedAt), RejectReason: f.RejectReason}
	if v.Attempts == nil {
		v.Attempts = []verify.Attempt{}
	}
	if f.Lat != nil && f.Lng != nil {
		v.Location = &verify.Location{Lat: *f.Lat, Lng: *f.Lng}
		if f.Accuracy != nil {
			v.Location.Accuracy = *f.Accuracy
		}
	}
	if f.ReviewedAt != nil {
		r := stamp(*f.ReviewedAt)
		v.ReviewedAt = &r
	}
	if whole {
		form := verify.FormOf(f)
		v.Form = &form
	}
	return v
}

func (s *Server) submitForm(c *gin.Context) {
	var req formSubmitRequest
	if err := bind(c, &req); err != nil {
		fail(c, err)
		return
	}
	labID, err := parseID("labourer_id", req.LabourerID)
	if err != nil {
		fail(c, err)
		return
	}
	f, created, err := s.Verify.Submit(c.Request.Context(), verify.Submission{IdempotencyKey: req.IdempotencyKey,
		LabourerID: labID, BaseVersion: req.BaseVersion, Form: req.Form, Proof: req.Proof})
	if err != nil {
		fail(c, err)
		return
	}
	code := http.StatusCreated
	if !created {
		code = http.StatusOK // a resend of the same draft
	}
	s.writeForm(c, f, code)
}

func (s *Server) writeForm(c *gin.Context, f *model.VerifyForm, code int) {
	v := s.toFormView(f, true)
	imgs, err := s.Verify.Images(c.Request.Context(), f.ID)
	if err != nil {
		fail(c, err)
		return
	}
	for _, im := range imgs {
		v.Images = append(v.Images, imageView{ID: idString(im.ID), Kind: im.Kind, Mime: im.Mime, Size: im.Size})
	}
	c.JSON(code, v)
}

func (s *Server) getForm(c *gin.Context) {
	id, err := pathID(c)
	if err != nil {
		fail(c, err)
		return
	}
	f, err := s.Verify.Form(c.Request.Context(), id)
	if err != nil {
		fail(c, err)
		return
	}
	s.writeForm(c, f, http.StatusOK)
}

func (s *Server) formImage(c *gin.Context) {
	id, err := pathID(c)
	if err != nil {
		fail(c, err)
		return
	}
	imgID, err := strconv.ParseInt(c.Param("image_id"), 10, 64)
	if err != nil || imgID <= 0 {
		fail(c, apperr.NotFound("图片"))
		return
	}
	img, err := s.Verify.Image(c.Request.Context(), id, imgID)
	if err != nil {
		fail(c, err)
		return
	}
	c.Header("Cache-Control", "private, max-age=3600")
	c.Header("X-Content-Type-Options", "nosniff")
	c.Data(http.StatusOK, img.Mime, img.Data)
}

type formPage struct {
	Items    []formView `json:"items"`
	Total    int64      `json:"total"`
	Page     int        `json:"page"`
	PageSize int        `json:"page_size"`
}

func (s *Server) listForms(c *gin.Context) {
	page, size, err := pageOf(c)
	if err != nil {
		fail(c, err)
		return
	}
	var labID int64
	if v := c.Query("labourer_id"); v != "" {
		if labID, err = parseID("labourer_id", v); err != nil {
			fail(c, err)
			return
		}
	}
	list, total, err := s.Verify.Forms(c.Request.Context(), c.Query("state"), c.Query("month"), labID, page, size)
	if err != nil {
		fail(c, err)
		return
	}
	out := formPage{Items: make([]formView, len(list)), Total: total, Page: page, PageSize: size}
	for i := range list {
		out.Items[i] = s.toFormView(&list[i], false)
	}
	c.JSON(http.StatusOK, out)
}

func pageOf(c *gin.Context) (int, int, error) { return paging(c, 20, verify.MaxPageSize) }

type pendingReportView struct {
	ID        string        `json:"id"`
	Kind      string        `json:"kind"`
	KindLabel string        `json:"kind_label"`
	CreatedAt string        `json:"created_at"`
	Report    status.Report `json:"report"`
}

type prefillView struct {
	Labourer       labourerSummary     `json:"labourer"`
	BaseVersion    int                 `json:"base_version"`
	WorkYearStart  string              `json:"work_year_start"`
	Form           verify.Form         `json:"form"`
	PendingReports []pendingReportView `json:"pending_reports"`
	LastForm       *formView           `json:"last_form"`
}

func (s *Server) prefillForm(c *gin.Context) {
	id, err := pathID(c)
	if err != nil {
		fail(c, err)
		return
	}
	p, err := s.Verify.Prefill(c.Request.Context(), id)
	if err != nil {
		fail(c, err)
		return
	}
	from, _ := verify.WorkYearRange(p.Form.WorkYear.StartYear)
	out := prefillView{Labourer: s.toSummary(&p.Labourer), BaseVersion: p.BaseVersion, WorkYearStart: date(from),
		Form: p.Form, PendingReports: []pendingReportView{}}
	for _, r := range p.Pending {
		out.PendingReports = append(out.PendingReports, pendingReportView{ID: idString(r.Report.ID), Kind: r.Report.Kind,
			KindLabel: model.StatusReports.Label(r.Report.Kind), CreatedAt: stamp(r.Report.CreatedAt), Report: r.Content})
	}
	if p.LastForm != nil {
		v := s.toFormView(p.LastForm, false)
		out.LastForm = &v
	}
	c.JSON(http.StatusOK, out)
}

type reasonRequest struct {
	Reason string `json:"reason"`
}

func (s *Server) confirmForm(c *gin.Context) {
	id, err := pathID(c)
	if err != nil {
		fail(c, err)
		return
	}
	f, err := s.Verify.Confirm(c.Request.Context(), id)
	if err != nil {
		fail(c, err)
		return
	}
	s.writeForm(c, f, http.StatusOK)
}

func (s *Server) rejectForm() gin.HandlerFunc {
	return onID(bodyRequired, func(ctx context.Context, id int64, req reasonRequest) (*model.VerifyForm, error) {
		return s.Verify.Reject(ctx, id, req.Reason)
	}, func(c *gin.Context, f *model.VerifyForm) { s.writeForm(c, f, http.StatusOK) })
}

type selfReportView struct {
	ID          string `json:"id"`
	LabourerID  string `json:"labourer_id"`
	Kind        string `json:"kind"`
	Review      string `json:"review"`
	ReviewLabel string `json:"review_label"`
}

func (s *Server) decideSelfReport(c *gin.Context, confirm bool) {
	id, err := pathID(c)
	if err != nil {
		fail(c, err)
		return
	}
	var rep *model.StatusReport
	if confirm {
		rep, err = s.Verify.ConfirmReport(c.Request.Context(), id)
	} else {
		var req reasonRequest
		if err := bind(c, &req); err != nil {
			fail(c, err)
			return
		}
		rep, err = s.Verify.RejectReport(c.Request.Context(), id, req.Reason)
	}
	if err != nil {
		fail(c, err)
		return
	}
	c.JSON(http.StatusOK, selfReportView{ID: idString(rep.ID), LabourerID: idString(rep.LabourerID), Kind: rep.Kind,
		Review: rep.Review, ReviewLabel: model.ReviewStates.Label(rep.Review)})
}

func (s *Server) confirmSelfReport(c *gin.Context) { s.decideSelfReport(c, true) }
func (s *Server) rejectSelfReport(c *gin.Context)  { s.decideSelfReport(c, false) }

type queueItemView struct {
	Kind            string `json:"kind"`
	KindLabel       string `json:"kind_label"`
	ID              string `json:"id"`
	LabourerID      string `json:"labourer_id"`
	LabourerName    string `json:"labourer_name"`
	VillageCode     string `json:"village_code"`
	VillageName     string `json:"village_name"`
	At              string `json:"at"`
	By              string `json:"by"`
	Verification    string `json:"verification"`
	AwaitingWorker  bool   `json:"awaiting_worker"`
	ReportKind      string `json:"report_kind"`
	ReportKindLabel string `json:"report_kind_label"`
}

type queuePage struct {
	Items    []queueItemView `json:"items"`
	Total    int64           `json:"total"`
	Page     int             `json:"page"`
	PageSize int             `json:"page_size"`
}

func (s *Server) reviewQueue(c *gin.Context) {
	page, size, err := pageOf(c)
	if err != nil {
		fail(c, err)
		return
	}
	items, total, err := s.Verify.Queue(c.Request.Context(), page, size)
	if err != nil {
		fail(c, err)
		return
	}
	out := queuePage{Items: make([]queueItemView, len(items)), Total: total, Page: page, PageSize: size}
	for i, it := range items {
		v := queueItemView{Kind: it.Kind, KindLabel: "采集表", ID: idString(it.ID), LabourerID: idString(it.Labourer.ID),
			LabourerName: it.Labourer.Name, VillageCode: it.Labourer.VillageCode, VillageName: regionName(s.Regions, it.Labourer.VillageCode),
			At: stamp(it.At), By: idString(it.By), Verification: it.Verification, AwaitingWorker: it.AwaitingWorker,
			ReportKind: it.ReportKind, ReportKindLabel: model.StatusReports.Label(it.ReportKind)}
		if it.Kind == verify.KindSelfReport {
			v.KindLabel = "本人自报（待核实）"
		}
		out.Items[i] = v
	}
	c.JSON(http.StatusOK, out)
}

type batchRequest struct {
	Items []struct {
		Kind string `json:"kind"`
		ID   string `json:"id"`
	} `json:"items"`
	Decision string `json:"decision"`
	Reason   string `json:"reason"`
}

type batchError struct {
	Code    string              `json:"code"`
	Message string              `json:"message"`
	Fields  []apperr.FieldError `json:"fields,omitempty"`
}

type batchResultView struct {
	Kind  string      `json:"kind"`
	ID    string      `json:"id"`
	OK    bool        `json:"ok"`
	Error *batchError `json:"error"`
}

type batchResponse struct {
	Results []batchResultView `json:"results"`
	Done    int               `json:"done"`
	Failed  int               `json:"failed"`
}

func (s *Server) reviewBatch(c *gin.Context) {
	var req batchRequest
	if err := bind(c, &req); err != nil {
		fail(c, err)
		return
	}
	if len(req.Items) > verify.MaxBatch {
		fail(c, apperr.Invalid("items", "too_many", "一次最多处理100项"))
		return
	}
	items := make([]verify.BatchItem, len(req.Items))
	for i, it := range req.Items {
		id, err := parseID("items."+strconv.Itoa(i)+".id", it.ID)
		if err != nil {
			fail(c, err)
			return
		}
		items[i] = verify.BatchItem{Kind: it.Kind, ID: id}
	}
	res, err := s.Verify.Batch(c.Request.Context(), items, req.Decision, req.Reason)
	if err != nil {
		fail(c, err)
		return
	}
	out := batchResponse{Results: make([]batchResultView, len(res))}
	for i, r := range res {
		v := batchResultView{Kind: r.Item.Kind, ID: idString(r.Item.ID), OK: r.Err == nil}
		if r.Err != nil {
			e, ok := apperr.As(r.Err)
			if !ok {
				logger(c).Error("batch item failed", "err", r.Err.Error())
				e = apperr.Internal(r.Err)
			}
			v.Error = &batchError{Code: e.Code, Message: e.Message, Fields: e.Fields}
			out.Failed++
		} else {
			out.Done++
		}
		out.Results[i] = v
	}
	c.JSON(http.StatusOK, out)
}

type taskView struct {
	Labourer       labourerSummary `json:"labourer"`
	State          string          `json:"state"`
	StateLabel     string          `json:"state_label"`
	Overdue        bool            `json:"overdue"`
	PendingReports int             `json:"pending_reports"`
	NewReturn      bool            `json:"new_return"`
	FormID         *string         `json:"form_id"`
	RejectReason   string          `json:"reject_reason"`
}

type taskPage struct {
	Month    string         `json:"month"`
	Deadline string         `json:"deadline"`
	Counts   map[string]int `json:"counts"`
	Items    []taskView     `json:"items"`
	Total    int            `json:"total"`
	Page     int            `json:"page"`
	PageSize int            `json:"page_size"`
}

var taskLabels = model.Enum{
	{Code: verify.TaskDue, Label: "待核实"},
	{Code: verify.TaskSubmitted, Label: "待专班确认"},
	{Code: verify.TaskConfirmed, Label: "已完成"},
	{Code: verify.TaskRejected, Label: "被退回"},
	{Code: verify.TaskUnreachable, Label: "联系不上"},
}

func (s *Server) verifyTasks(c *gin.Context) {
	page, size, err := pageOf(c)
	if err != nil {
		fail(c, err)
		return
	}
	list, err := s.Verify.Tasks(c.Request.Context(), c.Query("month"), c.Query("filter"), page, size)
	if err != nil {
		fail(c, err)
		return
	}
	out := taskPage{Month: list.Period, Deadline: stamp(list.Deadline), Counts: list.Counts, Items: make([]taskView, len(list.Items)),
		Total: list.Total, Page: page, PageSize: size}
	for i := range list.Items {
		t := &list.Items[i]
		v := taskView{Labourer: s.toSummary(&t.Labourer), State: t.State, StateLabel: taskLabels.Label(t.State), Overdue: t.Overdue,
			PendingReports: t.PendingReports, NewReturn: t.NewReturn, RejectReason: t.RejectReason}
		if t.FormID != 0 {
			id := idString(t.FormID)
			v.FormID = &id
		}
		out.Items[i] = v
	}
	c.JSON(http.StatusOK, out)
}

type villageCompletionView struct {
	VillageCode string  `json:"village_code"`
	VillageName string  `json:"village_name"`
	Labourers   int     `json:"labourers"`
	Confirmed   int     `json:"confirmed"`
	Submitted   int     `json:"submitted"`
	Unreachable int     `json:"unreachable"`
	Rate        float64 `json:"rate"`
}

type cadreCompletionView struct {
	AccountID   string `json:"account_id"`
	Name        string `json:"name"`
	Submitted   int    `json:"submitted"`
	Confirmed   int    `json:"confirmed"`
	Rejected    int    `json:"rejected"`
	Unreachable int    `json:"unreachable"`
}

type completionView struct {
	Month    string                  `json:"month"`
	Deadline string                  `json:"deadline"`
	Villages []villageCompletionView `json:"villages"`
	Cadres   []cadreCompletionView   `json:"cadres"`
}

func (s *Server) verifyCompletion(c *gin.Context) {
	month, deadline, vs, cs, err := s.Verify.Completion(c.Request.Context(), c.Query("month"))
	if err != nil {
		fail(c, err)
		return
	}
	out := completionView{Month: month, Deadline: stamp(deadline), Villages: make([]villageCompletionView, len(vs)),
		Cadres: make([]cadreCompletionView, len(cs))}
	for i, v := range vs {
		r := 0.0
		if v.Labourers > 0 {
			r = float64(int(float64(v.Confirmed)/float64(v.Labourers)*1000+0.5)) / 10
		}
		out.Villages[i] = villageCompletionView{VillageCode: v.VillageCode, VillageName: regionName(s.Regions, v.VillageCode),
			Labourers: v.Labourers, Confirmed: v.Confirmed, Submitted: v.Submitted, Unreachable: v.Unreachable, Rate: r}
	}
	for i, c := range cs {
		out.Cadres[i] = cadreCompletionView{AccountID: idString(c.AccountID), Name: c.Name, Submitted: c.Submitted,
			Confirmed: c.Confirmed, Rejected: c.Rejected, Unreachable: c.Unreachable}
	}
	c.JSON(http.StatusOK, out)
}

type myFormView struct {
	ID          string `json:"id"`
	VisitedAt   string `json:"visited_at"`
	CollectorID string `json:"collector_id"`
	Summary     string `json:"summary"`
}

func (s *Server) myForms(c *gin.Context) {
	list, err := s.Verify.MyForms(c.Request.Context())
	if err != nil {
		fail(c, err)
		return
	}
	out := make([]myFormView, len(list))
	for i, f := range list {
		out[i] = myFormView{ID: idString(f.ID), VisitedAt: stamp(f.VisitedAt), CollectorID: idString(f.SubmittedBy),
			Summary: "村干部于" + f.VisitedAt.In(verify.China).Format("1月2日") + "核实了您的务工情况，请确认"}
	}
	c.JSON(http.StatusOK, gin.H{"items": out})
}

func (s *Server) confirmMyVisit(c *gin.Context) {
	id, err := pathID(c)
	if err != nil {
		fail(c, err)
		return
	}
	f, err := s.Verify.ConfirmVisit(c.Request.Context(), id)
	if err != nil {
		fail(c, err)
		return
	}
	c.JSON(http.StatusOK, myFormView{ID: idString(f.ID), VisitedAt: stamp(f.VisitedAt), CollectorID: idString(f.SubmittedBy),
		Summary: "已确认"})
}
