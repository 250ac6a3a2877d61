package api

import (
	"context"
	"io"
	"net/http"
	"net/url"

	"github.com/gin-gonic/gin"

	"github.com/jiuyebang/jiuyebang/model"
	"github.com/jiuyebang/jiuyebang/service/actor"
	"github.com/jiuyebang/jiuyebang/service/apperr"
	"github.com/jiuyebang/jiuyebang/service/payment"
)

// maxResultFile bounds an uploaded bank result file (a full batch as .xlsx
// is well under this; the global body limit applies as well).
const maxResultFile = 4 << 20

// mountPayments registers the public notice and payment batch routes on the authenticated group.
func (s *Server) mountPayments(in *gin.RouterGroup) {
	pay := roles(model.RoleTaskforce, model.RoleAdmin)
	readBatches := roles(model.RoleTaskforce, model.RoleOfficial, model.RoleAdmin)
	readNotices := roles(model.RoleCadre, model.RoleTaskforce, model.RoleOfficial, model.RoleAdmin)
	in.POST("/notices", pay, s.publishNotice)
	in.GET("/notices", readNotices, s.listNotices)
	in.GET("/notices/:id", readNotices, s.getNotice)
	in.POST("/notices/:id/close", pay, s.closeNotice)
	in.POST("/notices/:id/objections", roles(model.RoleCadre, model.RoleTaskforce, model.RoleAdmin), s.lodgeObjection())
	in.GET("/notices/:id/objections", readNotices, s.listObjections)
	in.POST("/objections/:id/resolve", pay, s.resolveObjection())
	// A worker reads the notices of their own county (items of their own
	// village) and objects to them under /me, like every worker route.
	worker := roles(model.RoleWorker)
	in.GET("/me/notices", worker, s.listNotices)
	in.GET("/me/notices/:id", worker, s.getNotice)
	in.POST("/me/notices/:id/objections", worker, s.lodgeObjection())
	in.GET("/me/notices/:id/objections", worker, s.listObjections)

	in.POST("/batches", pay, s.createBatch)
	in.GET("/batches", readBatches, s.listBatches)
	in.GET("/batches/:id", readBatches, s.getBatch)
	in.GET("/batches/:id/lines", readBatches, s.batchLines)
	in.POST("/batches/:id/prepare", pay, s.prepareBatch())
	in.POST("/batches/:id/approve", pay, s.approveBatch())
	in.POST("/batches/:id/cancel", pay, s.cancelBatch())
	in.POST("/batches/:id/export", pay, s.exportBatch())
	in.GET("/batches/:id/file", pay, s.batchFile)
	in.POST("/batches/:id/lines/:line_id/mark", pay, s.markLine)
	in.POST("/batches/:id/results", pay, s.uploadResults)
	in.POST("/batches/:id/reconcile", pay, s.reconcileBatch)

	in.GET("/labourers/:id/bank-account", roles(model.RoleTaskforce, model.RoleAdmin), s.bankAccountOf(pathID))
	in.PUT("/labourers/:id/bank-account", pay, s.setBankAccount(pathID, s.Payments.SetLabourerAccount))
	in.PUT("/employers/:id/bank-account", pay, s.setBankAccount(pathID, s.Payments.SetEmployerAccount))
	in.GET("/me/bank-account", roles(model.RoleWorker), s.bankAccountOf(myLabourer))
	in.PUT("/me/bank-account", roles(model.RoleWorker), s.setBankAccount(myLabourer, s.Payments.SetLabourerAccount))
}

// ---- views ----

type noticeView struct {
	ID             string `json:"id"`
	CountyCode     string `json:"county_code"`
	CountyName     string `json:"county_name"`
	Title          string `json:"title"`
	PublishedAt    string `json:"published_at"`
	Days           int    `json:"days"`
	EndsAt         string `json:"ends_at"`
	State          string `json:"state"`
	StateLabel     string `json:"state_label"`
	Items          int    `json:"items"`
	TotalFen       int64  `json:"total_fen"`
	OpenObjections int    `json:"open_objections"`
	Version        int    `json:"version"`
}

type noticeItemView struct {
	ID          string `json:"id"`
	ClaimID     string `json:"claim_id"`
	Name        string `json:"name"` // masked: 马*军
	VillageCode string `json:"village_code"`
	VillageName string `json:"village_name"`
	Kind        string `json:"kind"`
	KindLabel   string `json:"kind_label"`
	AmountFen   int64  `json:"amount_fen"`
	State       string `json:"state"`
	StateLabel  string `json:"state_label"`
}

type noticeDetail struct {
	noticeView
	List []noticeItemView `json:"list"`
}

type objectionView struct {
	ID              string  `json:"id"`
	NoticeID        string  `json:"notice_id"`
	ItemID          string  `json:"item_id"`
	ClaimID         string  `json:"claim_id"`
	LodgedRole      string  `json:"lodged_role"`
	OnBehalfOf      string  `json:"on_behalf_of"` // masked
	Text            string  `json:"text"`
	State           string  `json:"state"`
	StateLabel      string  `json:"state_label"`
	Resolution      string  `json:"resolution"`
	ResolutionLabel string  `json:"resolution_label"`
	Note            string  `json:"note"`
	CreatedAt       string  `json:"created_at"`
	ResolvedAt      *string `json:"resolved_at"`
	Version         int     `json:"version"`
}

type batchView struct {
	ID           string  `json:"id"`
	CountyCode   string  `json:"county_code"`
	CountyName   string  `json:"county_name"`
	Title        string  `json:"title"`
	State        string  `json:"state"`
	StateLabel   string  `json:"state_label"`
	CreatedBy    string  `json:"created_by"`
	PreparedBy   *string `json:"prepared_by"`
	PreparedAt   *string `json:"prepared_at"`
	ApprovedBy   *string `json:"approved_by"`
	ApprovedAt   *string `json:"approved_at"`
	ExportedAt   *string `json:"exported_at"`
	ReconciledAt *string `json:"reconciled_at"`
	CancelledAt  *string `json:"cancelled_at"`
	CancelReason string  `json:"cancel_reason"`
	Lines        int     `json:"lines"`
	TotalFen     int64   `json:"total_fen"`
	PaidLines    int     `json:"paid_lines"`
	PaidFen      int64   `json:"paid_fen"`
	FailedLines  int     `json:"failed_lines"`
	FailedFen    int64   `json:"failed_fen"`
	Version      int     `json:"version"`
	CreatedAt    string  `json:"created_at"`
}

type batchCreated struct {
	batchView
	MissingAccountClaimIDs []string `json:"missing_account_claim_ids"`
}

type reconciliationView struct {
	Lines        int   `json:"lines"`
	TotalFen     int64 `json:"total_fen"`
	PendingLines int   `json:"pending_lines"`
	PaidLines    int   `json:"paid_lines"`
	PaidFen      int64 `json:"paid_fen"`
	FailedLines  int   `json:"failed_lines"`
	FailedFen    int64 `json:"failed_fen"`
	Balanced     bool  `json:"balanced"`
}

type batchDetail struct {
	batchView
	Reconciliation reconciliationView `json:"reconciliation"`
}

type batchLineView struct {
	ID            string  `json:"id"`
	Seq           int     `json:"seq"`
	ClaimID       string  `json:"claim_id"`
	LabourerID    string  `json:"labourer_id"`
	PayeeName     string  `json:"payee_name"`
	AccountMasked string  `json:"account_masked"`
	BankName      string  `json:"bank_name"`
	AmountFen     int64   `json:"amount_fen"`
	Purpose       string  `json:"purpose"`
	State         string  `json:"state"`
	StateLabel    string  `json:"state_label"`
	FailureReason string  `json:"failure_reason"`
	MarkedAt      *string `json:"marked_at"`
	Version       int     `json:"version"`
}

type bankAccountView struct {
	HolderName    string `json:"holder_name"`
	AccountMasked string `json:"account_masked"`
	BankName      string `json:"bank_name"`
	EnteredRole   string `json:"entered_role"`
	UpdatedAt     string `json:"updated_at"`
	Version       int    `json:"version"`
}

func (s *Server) toNoticeView(n *model.Notice) noticeView {
	return noticeView{ID: idString(n.ID), CountyCode: n.CountyCode, CountyName: regionName(s.Regions, n.CountyCode), Title: n.Title,
		PublishedAt: stamp(n.PublishedAt), Days: n.Days, EndsAt: stamp(n.EndsAt), State: n.State, StateLabel: model.NoticeStates.Label(n.State),
		Items: n.Items, TotalFen: n.TotalFen, OpenObjections: n.OpenObjections, Version: n.Version}
}

func toObjectionView(o *model.Objection) objectionView {
	return objectionView{ID: idString(o.ID), NoticeID: idString(o.NoticeID), ItemID: idString(o.NoticeItemID), ClaimID: idString(o.ClaimID),
		LodgedRole: o.LodgedRole, OnBehalfOf: payment.MaskName(o.OnBehalfOf), Text: o.Text, State: o.State,
		StateLabel: model.ObjectionStates.Label(o.State), Resolution: o.Resolution, ResolutionLabel: model.ObjectionResolutions.Label(o.Resolution),
		Note: o.Note, CreatedAt: stamp(o.CreatedAt), ResolvedAt: optStamp(o.ResolvedAt), Version: o.Version}
}

func (s *Server) toBatchView(b *model.Batch) batchView {
	return batchView{ID: idString(b.ID), CountyCode: b.CountyCode, CountyName: regionName(s.Regions, b.CountyCode), Title: b.Title,
		State: b.State, StateLabel: model.BatchStates.Label(b.State), CreatedBy: idString(b.CreatedBy), PreparedBy: idPtr(b.PreparedBy),
		PreparedAt: optStamp(b.PreparedAt), ApprovedBy: idPtr(b.ApprovedBy), ApprovedAt: optStamp(b.ApprovedAt),
		ExportedAt: optStamp(b.ExportedAt), ReconciledAt: optStamp(b.ReconciledAt), CancelledAt: optStamp(b.CancelledAt),
		CancelReason: b.CancelReason, Lines: b.Lines, TotalFen: b.TotalFen,
		PaidLines: b.PaidLines, PaidFen: b.PaidFen, FailedLines: b.FailedLines, FailedFen: b.FailedFen, Version: b.Version,
		CreatedAt: stamp(b.CreatedAt)}
}

func toReconciliation(r payment.Reconciliation) reconciliationView {
	return reconciliationView{Lines: r.Lines, TotalFen: r.TotalFen, PendingLines: r.PendingLines, PaidLines: r.PaidLines, PaidFen: r.PaidFen,
		FailedLines: r.FailedLines, FailedFen: r.FailedFen, Balanced: r.Balanced()}
}

func toLineView(l *model.BatchLine) batchLineView {
	return batchLineView{ID: idString(l.ID), Seq: l.Seq, ClaimID: idString(l.ClaimID), LabourerID: idString(l.LabourerID), PayeeName: l.PayeeName,
		AccountMasked: l.AccountMasked, BankName: l.BankName, AmountFen: l.AmountFen, Purpose: l.Purpose, State: l.State,
		StateLabel: model.BatchLineStates.Label(l.State), FailureReason: l.FailureReason, MarkedAt: optStamp(l.MarkedAt), Version: l.Version}
}

func toBankView(b *model.BankAccount) bankAccountView {
	return bankAccountView{HolderName: b.HolderName, AccountMasked: b.AccountMasked, BankName: b.BankName, EnteredRole: b.EnteredRole,
		UpdatedAt: stamp(b.UpdatedAt), Version: b.Version}
}

func parseIDs(field string, in []string) ([]int64, error) {
	out := make([]int64, 0, len(in))
	for _, v := range in {
		id, err := parseID(field, v)
		if err != nil {
			return nil, err
		}
		out = append(out, id)
	}
	return out, nil
}

// ---- notices ----

type noticeRequest struct {
	CountyCode string   `json:"county_code"`
	Title      string   `json:"title"`
	Days       int      `json:"days"`
	ClaimIDs   []string `json:"claim_ids"`
}

func (s *Server) publishNotice(c *gin.Context) {
	var req noticeRequest
	if err := bind(c, &req); err != nil {
		fail(c, err)
		return
	}
	ids, err := parseIDs("claim_ids", req.ClaimIDs)
	if err != nil {
		fail(c, err)
		return
	}
	n, err := s.Payments.Publish(c.Request.Context(), payment.PublishInput{CountyCode: req.CountyCode, Title: req.Title, Days: req.Days, ClaimIDs: ids})
	if err != nil {
		fail(c, err)
		return
	}
	c.JSON(http.StatusCreated, s.toNoticeView(n))
}

type noticePage struct {
	Items    []noticeView `json:"items"`
	Total    int64        `json:"total"`
	Page     int          `json:"page"`
	PageSize int          `json:"page_size"`
}

func (s *Server) listNotices(c *gin.Context) {
	page, size, err := pageOf(c)
	if err != nil {
		fail(c, err)
		return
	}
	state := c.Query("state")
	if state != "" && !model.NoticeStates.Valid(state) {
		fail(c, apperr.Invalid("state", "invalid", "状态不对"))
		return
	}
	rows, total, err := s.Payments.Notices(c.Request.Context(), payment.NoticeFilter{State: state, Limit: size, Offset: (page - 1) * size})
	if err != nil {
		fail(c, err)
		return
	}
	out := noticePage{Items: []noticeView{}, Total: total, Page: page, PageSize: size}
	for i := range rows {
		out.Items = append(out.Items, s.toNoticeView(&rows[i]))
	}
	c.JSON(http.StatusOK, out)
}

func (s *Server) getNotice(c *gin.Context) {
	id, err := pathID(c)
	if err != nil {
		fail(c, err)
		return
	}
	d, err := s.Payments.Notice(c.Request.Context(), id)
	if err != nil {
		fail(c, err)
		return
	}
	out := noticeDetail{noticeView: s.toNoticeView(&d.Notice), List: []noticeItemView{}}
	for _, it := range d.Items {
		out.List = append(out.List, noticeItemView{ID: idString(it.ID), ClaimID: idString(it.ClaimID), Name: it.NameMasked,
			VillageCode: it.VillageCode, VillageName: s.Regions.PathName(it.VillageCode), Kind: it.Kind, KindLabel: model.SubsidyKinds.Label(it.Kind),
			AmountFen: it.AmountFen, State: it.State, StateLabel: model.NoticeItemStates.Label(it.State)})
	}
	c.JSON(http.StatusOK, out)
}

func (s *Server) closeNotice(c *gin.Context) {
	id, err := pathID(c)
	if err != nil {
		fail(c, err)
		return
	}
	n, err := s.Payments.Close(c.Request.Context(), id)
	if err != nil {
		fail(c, err)
		return
	}
	c.JSON(http.StatusOK, s.toNoticeView(n))
}

type objectionRequest struct {
	ItemID     string `json:"item_id"`
	Text       string `json:"text"`
	OnBehalfOf string `json:"on_behalf_of"`
}

func (s *Server) lodgeObjection() gin.HandlerFunc {
	return onID(bodyRequired, func(ctx context.Context, id int64, req objectionRequest) (*model.Objection, error) {
		itemID, err := parseID("item_id", req.ItemID)
		if err != nil {
			return nil, err
		}
		return s.Payments.Lodge(ctx, id, payment.LodgeInput{ItemID: itemID, Text: req.Text, OnBehalfOf: req.OnBehalfOf})
	}, func(c *gin.Context, o *model.Objection) { c.JSON(http.StatusCreated, toObjectionView(o)) })
}

type objectionList struct {
	Items []objectionView `json:"items"`
}

func (s *Server) listObjections(c *gin.Context) {
	id, err := pathID(c)
	if err != nil {
		fail(c, err)
		return
	}
	rows, err := s.Payments.Objections(c.Request.Context(), id)
	if err != nil {
		fail(c, err)
		return
	}
	out := objectionList{Items: []objectionView{}}
	for i := range rows {
		out.Items = append(out.Items, toObjectionView(&rows[i]))
	}
	c.JSON(http.StatusOK, out)
}

type resolveRequest struct {
	Resolution string `json:"resolution"`
	Note       string `json:"note"`
	Version    int    `json:"version"`
}

func (s *Server) resolveObjection() gin.HandlerFunc {
	return onID(bodyRequired, func(ctx context.Context, id int64, req resolveRequest) (*model.Objection, error) {
		return s.Payments.Resolve(ctx, id, payment.ResolveInput{Resolution: req.Resolution, Note: req.Note, Version: req.Version})
	}, func(c *gin.Context, o *model.Objection) { c.JSON(http.StatusOK, toObjectionView(o)) })
}

// ---- batches ----

type payBatchRequest struct {
	CountyCode string   `json:"county_code"`
	Title      string   `json:"title"`
	ClaimIDs   []string `json:"claim_ids"`
}

func (s *Server) createBatch(c *gin.Context) {
	var req payBatchRequest
	if err := bind(c, &req); err != nil {
		fail(c, err)
		return
	}
	ids, err := parseIDs("claim_ids", req.ClaimIDs)
	if err != nil {
		fail(c, err)
		return
	}
	b, skipped, err := s.Payments.CreateBatch(c.Request.Context(), payment.BatchInput{CountyCode: req.CountyCode, Title: req.Title, ClaimIDs: ids})
	if err != nil {
		fail(c, err)
		return
	}
	out := batchCreated{batchView: s.toBatchView(b), MissingAccountClaimIDs: []string{}}
	for _, id := range skipped {
		out.MissingAccountClaimIDs = append(out.MissingAccountClaimIDs, idString(id))
	}
	c.JSON(http.StatusCreated, out)
}

type batchPage struct {
	Items    []batchView `json:"items"`
	Total    int64       `json:"total"`
	Page     int         `json:"page"`
	PageSize int         `json:"page_size"`
}

func (s *Server) listBatches(c *gin.Context) {
	page, size, err := pageOf(c)
	if err != nil {
		fail(c, err)
		return
	}
	state := c.Query("state")
	if state != "" && !model.BatchStates.Valid(state) {
		fail(c, apperr.Invalid("state", "invalid", "状态不对"))
		return
	}
	rows, total, err := s.Payments.Batches(c.Request.Context(), payment.BatchFilter{State: state, Limit: size, Offset: (page - 1) * size})
	if err != nil {
		fail(c, err)
		return
	}
	out := batchPage{Items: []batchView{}, Total: total, Page: page, PageSize: size}
	for i := range rows {
		out.Items = append(out.Items, s.toBatchView(&rows[i]))
	}
	c.JSON(http.StatusOK, out)
}

func (s *Server) writeBatch(c *gin.Context, b *model.Batch) {
	r, err := s.Payments.Count(c.Request.Context(), b.ID)
	if err != nil {
		fail(c, err)
		return
	}
	c.JSON(http.StatusOK, batchDetail{batchView: s.toBatchView(b), Reconciliation: toReconciliation(r)})
}

func (s *Server) getBatch(c *gin.Context) {
	id, err := pathID(c)
	if err != nil {
		fail(c, err)
		return
	}
	b, err := s.Payments.Batch(c.Request.Context(), id)
	if err != nil {
		fail(c, err)
		return
	}
	s.writeBatch(c, b)
}

type linePage struct {
	Items    []batchLineView `json:"items"`
	Total    int64           `json:"total"`
	Page     int             `json:"page"`
	PageSize int             `json:"page_size"`
}

func (s *Server) batchLines(c *gin.Context) {
	id, err := pathID(c)
	if err != nil {
		fail(c, err)
		return
	}
	page, err := queryInt(c, "page", 1, 1, 100000)
	if err != nil {
		fail(c, err)
		return
	}
	size, err := queryInt(c, "page_size", 100, 1, 500)
	if err != nil {
		fail(c, err)
		return
	}
	state := c.Query("state")
	if state != "" && !model.BatchLineStates.Valid(state) {
		fail(c, apperr.Invalid("state", "invalid", "状态不对"))
		return
	}
	rows, total, err := s.Payments.Lines(c.Request.Context(), id, state, size, (page-1)*size)
	if err != nil {
		fail(c, err)
		return
	}
	out := linePage{Items: []batchLineView{}, Total: total, Page: page, PageSize: size}
	for i := range rows {
		out.Items = append(out.Items, toLineView(&rows[i]))
	}
	c.JSON(http.StatusOK, out)
}

type batchStepRequest struct {
	Version  int    `json:"version"`
	TOTPCode string `json:"totp_code"`
}

func (s *Server) prepareBatch() gin.HandlerFunc {
	return onID(bodyOptional, func(ctx context.Context, id int64, req batchStepRequest) (*model.Batch, error) {
		return s.Payments.Prepare(ctx, id, req.Version)
	}, s.writeBatch)
}

func (s *Server) approveBatch() gin.HandlerFunc {
	return onID(bodyOptional, func(ctx context.Context, id int64, req batchStepRequest) (*model.Batch, error) {
		return s.Payments.Approve(ctx, id, req.Version, req.TOTPCode)
	}, s.writeBatch)
}

type cancelRequest struct {
	Version int    `json:"version"`
	Reason  string `json:"reason"`
}

func (s *Server) cancelBatch() gin.HandlerFunc {
	return onID(bodyRequired, func(ctx context.Context, id int64, req cancelRequest) (*model.Batch, error) {
		return s.Payments.Cancel(ctx, id, payment.CancelInput{Version: req.Version, Reason: req.Reason})
	}, s.writeBatch)
}

type exportRequest struct {
	Version int    `json:"version"`
	Format  string `json:"format"`
	Purpose string `json:"purpose"`
}

func sendFile(c *gin.Context, f *payment.File) {
	c.Header("Content-Disposition", "attachment; filename*=UTF-8''"+url.PathEscape(f.Name))
	c.Header("Cache-Control", "no-store")
	c.Header("X-Content-Type-Options", "nosniff")
	c.Data(http.StatusOK, f.Mime, f.Data)
}

func (s *Server) exportBatch() gin.HandlerFunc {
	return onID(bodyRequired, func(ctx context.Context, id int64, req exportRequest) (*payment.File, error) {
		if req.Format == "" {
			req.Format = payment.FormatXLSX
		}
		return s.Payments.Export(ctx, id, req.Version, req.Format, req.Purpose)
	}, sendFile)
}

func (s *Server) batchFile(c *gin.Context) {
	id, err := pathID(c)
	if err != nil {
		fail(c, err)
		return
	}
	format := c.DefaultQuery("format", payment.FormatXLSX)
	f, err := s.Payments.File(c.Request.Context(), id, format, c.Query("purpose"))
	if err != nil {
		fail(c, err)
		return
	}
	sendFile(c, f)
}

type markRequest struct {
	Result  string `json:"result"`
	Reason  string `json:"reason"`
	Version int    `json:"version"`
}

func (s *Server) markLine(c *gin.Context) {
	id, err := pathID(c)
	if err != nil {
		fail(c, err)
		return
	}
	lineID, err := parseID("line_id", c.Param("line_id"))
	if err != nil {
		fail(c, apperr.NotFound("发放明细"))
		return
	}
	var req markRequest
	if err := bind(c, &req); err != nil {
		fail(c, err)
		return
	}
	l, err := s.Payments.MarkLine(c.Request.Context(), id, lineID, payment.MarkInput{Result: req.Result, Reason: req.Reason, Version: req.Version})
	if err != nil {
		fail(c, err)
		return
	}
	c.JSON(http.StatusOK, toLineView(l))
}

func (s *Server) uploadResults(c *gin.Context) {
	id, err := pathID(c)
	if err != nil {
		fail(c, err)
		return
	}
	fh, err := c.FormFile("file")
	if err != nil {
		fail(c, apperr.Invalid("file", "required", "请选择银行返回的结果文件（.xlsx 或 .csv）"))
		return
	}
	if fh.Size > maxResultFile {
		fail(c, apperr.New(apperr.KindTooLarge, "body_too_large", "文件太大"))
		return
	}
	rd, err := fh.Open()
	if err != nil {
		fail(c, apperr.Invalid("file", "unreadable", "文件读不出来"))
		return
	}
	defer rd.Close()
	data, err := io.ReadAll(io.LimitReader(rd, maxResultFile+1))
	if err != nil {
		fail(c, apperr.Invalid("file", "unreadable", "文件读不出来"))
		return
	}
	sum, err := s.Payments.ImportResults(c.Request.Context(), id, fh.Filename, data)
	if err != nil {
		fail(c, err)
		return
	}
	c.JSON(http.StatusOK, sum)
}

func (s *Server) reconcileBatch(c *gin.Context) {
	id, err := pathID(c)
	if err != nil {
		fail(c, err)
		return
	}
	b, r, err := s.Payments.Reconcile(c.Request.Context(), id)
	if err != nil {
		fail(c, err)
		return
	}
	c.JSON(http.StatusOK, batchDetail{batchView: s.toBatchView(b), Reconciliation: toReconciliation(r)})
}

// ---- bank accounts ----

type bankAccountRequest struct {
	HolderName string `json:"holder_name"`
	Number     string `json:"number"`
	BankName   string `json:"bank_name"`
}

func (r bankAccountRequest) input() payment.BankInput {
	return payment.BankInput{HolderName: r.HolderName, Number: r.Number, BankName: r.BankName}
}

// bankAccountOf answers with the bank account of the owner whose id owner
// reads from the request (a path id, or the worker's own labourer).
func (s *Server) bankAccountOf(owner func(*gin.Context) (int64, error)) gin.HandlerFunc {
	return func(c *gin.Context) {
		id, err := owner(c)
		if err != nil {
			fail(c, err)
			return
		}
		b, err := s.Payments.LabourerAccount(c.Request.Context(), id)
		if err != nil {
			fail(c, err)
			return
		}
		c.JSON(http.StatusOK, toBankView(b))
	}
}

// setBankAccount binds a bank account and stores it for the owner.
func (s *Server) setBankAccount(owner func(*gin.Context) (int64, error),
	set func(context.Context, int64, payment.BankInput) (*model.BankAccount, error)) gin.HandlerFunc {
	return func(c *gin.Context) {
		id, err := owner(c)
		if err != nil {
			fail(c, err)
			return
		}
		var req bankAccountRequest
		if err := bind(c, &req); err != nil {
			fail(c, err)
			return
		}
		b, err := set(c.Request.Context(), id, req.input())
		if err != nil {
			fail(c, err)
			return
		}
		c.JSON(http.StatusOK, toBankView(b))
	}
}

func myLabourer(c *gin.Context) (int64, error) {
	a := actor.From(c.Request.Context())
	if a.LabourerID == 0 {
		return 0, apperr.Forbidden("请先完成身份绑定")
	}
	return a.LabourerID, nil
}
