package verify

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"strings"
	"time"

	"gorm.io/gorm"

	"github.com/jiuyebang/jiuyebang/model"
	"github.com/jiuyebang/jiuyebang/service/actor"
	"github.com/jiuyebang/jiuyebang/service/apperr"
	"github.com/jiuyebang/jiuyebang/service/audit"
	"github.com/jiuyebang/jiuyebang/service/infra"
	"github.com/jiuyebang/jiuyebang/service/registry"
)

// Submission is a form as the cadre's phone sends it, possibly long after it
// was drafted offline.
type Submission struct {
	IdempotencyKey string // a UUID made on the phone when the draft was created
	LabourerID     int64
	BaseVersion    int // the labourer's version the draft was prefilled at
	Form           Form
	Proof          Proof
}

// Conflict is the data of a 409 ledger_changed: the draft as sent and the
// ledger as it is now, so the cadre sees both and resubmits.
type Conflict struct {
	Draft          Form `json:"draft"`
	Current        Form `json:"current"`
	BaseVersion    int  `json:"base_version"`
	CurrentVersion int  `json:"current_version"`
}

var uuidRe = regexp.MustCompile(`^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$`)

// ErrLedgerChanged is the code of the version conflict.
const ErrLedgerChanged = "ledger_changed"

// Submit records a form for the task force. A resend with the same
// idempotency key returns the form already stored (created = false); a
// draft over a record that changed since it was prefilled is refused with
// ledger_changed and both versions — never a silent overwrite.
func (s *Service) Submit(ctx context.Context, sub Submission) (*model.VerifyForm, bool, error) {
	a := actor.From(ctx)
	if !a.Is(model.RoleCadre, model.RoleTaskforce, model.RoleAdmin) {
		return nil, false, apperr.Forbidden("")
	}
	sub.IdempotencyKey = strings.ToLower(strings.TrimSpace(sub.IdempotencyKey))
	if !uuidRe.MatchString(sub.IdempotencyKey) {
		return nil, false, apperr.Invalid("idempotency_key", "invalid_key", "提交编号应为 UUID")
	}
	db := s.db.WithContext(ctx)
	if f, err := s.byKey(db, a, sub.IdempotencyKey); f != nil || err != nil {
		return f, false, err
	}
	lab, err := s.labourer(ctx, db, sub.LabourerID)
	if err != nil {
		return nil, false, err
	}
	if lab.RecordStatus != model.RecordActive {
		return nil, false, apperr.Conflict("not_in_ledger", "该人员还未进入台账，请先确认其登记")
	}
	if sub.BaseVersion != lab.Version {
		return nil, false, s.conflict(ctx, db, lab, sub.Form, sub.BaseVersion)
	}
	proof, perr := s.checkProof(&sub.Proof, sub.Form.Verification)
	basic, err := s.basicOf(lab, 0, "")
	if err != nil {
		return nil, false, err
	}
	ledgerPhone := basic.Phone
	ck, verr := s.Validate(lab, basic, &sub.Form, visitTime(proof, s.now()))
	if err := merge(perr, verr); err != nil {
		return nil, false, err
	}
	var pending int64
	if err := db.Model(&model.VerifyForm{}).Where("labourer_id = ? AND state = ?", lab.ID, model.FormSubmitted).Count(&pending).Error; err != nil {
		return nil, false, err
	}
	if pending > 0 {
		// The same draft may have landed from a parallel resend meanwhile.
		if f, err := s.byKey(db, a, sub.IdempotencyKey); f != nil || err != nil {
			return f, false, err
		}
		return nil, false, apperr.Conflict("form_pending", "该人员已有一份表在等专班确认，请等确认或退回后再提交")
	}
	form := s.newForm(a, lab, &sub, proof, ck, ledgerPhone)
	err = infra.Tx(db, func(tx *gorm.DB) error {
		if err := tx.Create(form).Error; err != nil {
			return err
		}
		for _, img := range proof.images {
			row := &model.FormImage{ID: model.NewID(), FormID: form.ID, Kind: img.kind, Mime: img.mime, Size: len(img.data),
				SHA256: sha(img.data), Data: img.data}
			if err := tx.Create(row).Error; err != nil {
				return err
			}
		}
		return audit.Write(ctx, tx, audit.Entry{Action: "form.submit", SubjectType: "labourer", SubjectID: lab.ID,
			After: map[string]any{"form_id": fmt.Sprint(form.ID), "verification": form.Verification, "period": form.Period}})
	})
	if errors.Is(err, gorm.ErrDuplicatedKey) {
		// The same draft arrived twice at once; the first one won.
		if f, err := s.byKey(db, a, sub.IdempotencyKey); f != nil || err != nil {
			return f, false, err
		}
	}
	if err != nil {
		return nil, false, fmt.Errorf("submit form: %w", err)
	}
	return form, true, nil
}

// visitTime is the checked visit time, or now when the proof's was bad (its
// error is reported; the form's dates are still checked against something).
func visitTime(p *provedVisit, now time.Time) time.Time {
	if p == nil || p.at.IsZero() {
		return now
	}
	return p.at
}

// merge joins two errors, keeping every field error when both are validation errors.
func merge(a, b error) error {
	switch {
	case a == nil:
		return b
	case b == nil:
		return a
	}
	ea, okA := apperr.As(a)
	eb, okB := apperr.As(b)
	if !okA || !okB || ea.Kind != apperr.KindValidation || eb.Kind != apperr.KindValidation {
		return a
	}
	var f apperr.Fields
	for _, fe := range append(append([]apperr.FieldError{}, ea.Fields...), eb.Fields...) {
		f.Add(fe.Field, fe.Code, fe.Message)
	}
	return f.Err()
}

// byKey finds a form by its idempotency key. Another account's key is a
// conflict: keys are random, so this is a client bug, not a resend.
func (s *Service) byKey(db *gorm.DB, a *actor.Actor, key string) (*model.VerifyForm, error) {
	var f model.VerifyForm
	err := db.Where("idempotency_key = ?", key).Take(&f).Error
	switch {
	case errors.Is(err, gorm.ErrRecordNotFound):
		return nil, nil
	case err != nil:
		return nil, err
	case f.SubmittedBy != a.AccountID:
		return nil, apperr.Conflict("idempotency_key_reused", "提交编号已被使用，请重新生成")
	}
	return &f, nil
}

// basicOf is the stored 基本信息 with the clear 身份证 and phone (phoneEnc, a
// form's sealed corrected phone, overrides the ledger's).
func (s *Service) basicOf(lab *model.Labourer, formID int64, phoneEnc string) (registry.LabourerInput, error) {
	idn, err := s.box.Open("labourers", "id_number", lab.ID, lab.IDNumberEnc)
	if err != nil {
		return registry.LabourerInput{}, apperr.Internal(err)
	}
	phone := ""
	switch {
	case phoneEnc != "":
		phone, err = s.box.Open("verify_forms", "phone", formID, phoneEnc)
	case lab.PhoneEnc != "":
		phone, err = s.box.Open("labourers", "phone", lab.ID, lab.PhoneEnc)
	}
	if err != nil {
		return registry.LabourerInput{}, apperr.Internal(err)
	}
	in := registry.LabourerInput{HouseholdID: lab.HouseholdID, Name: lab.Name, IDNumber: idn, Phone: phone,
		VillageCode: lab.VillageCode, Ethnicity: lab.Ethnicity, Address: lab.Address, LabourCapacity: lab.LabourCapacity,
		SkillLevel: lab.SkillLevel, TwoAfter: lab.TwoAfter, Education: lab.Education, State: lab.State,
		StateReason: lab.StateReason, Category: lab.Category, YuluGraduate: lab.YuluGraduate}
	if lab.GraduationDate != nil {
		in.GraduationDate = lab.GraduationDate.Format("2006-01")
	}
	return in, nil
}

// conflict builds the ledger_changed error with both versions.
func (s *Service) conflict(ctx context.Context, db *gorm.DB, lab *model.Labourer, draft Form, base int) error {
	cur, err := s.ledgerForm(ctx, db, lab)
	if err != nil {
		return err
	}
	draft.Basic.Phone = ""
	e := apperr.Conflict(ErrLedgerChanged, "草稿填写后，台账又有了变化，请对照最新台账核对后重新提交")
	e.Data = Conflict{Draft: draft, Current: cur, BaseVersion: base, CurrentVersion: lab.Version}
	return e
}

func (s *Service) newForm(a *actor.Actor, lab *model.Labourer, sub *Submission, p *provedVisit, ck *checked, ledgerPhone string) *model.VerifyForm {
	now := s.now().UTC()
	f := &model.VerifyForm{ID: model.NewID(), IdempotencyKey: sub.IdempotencyKey, LabourerID: lab.ID,
		CountyCode: lab.CountyCode, VillageCode: lab.VillageCode, Period: Period(p.at), State: model.FormSubmitted,
		Verification: sub.Form.Verification, BaseVersion: sub.BaseVersion, VisitedAt: p.at.UTC(),
		SubmittedBy: a.AccountID, SubmittedAt: now}
	form := sub.Form
	if form.Verification == "unreachable" {
		form = Form{Verification: "unreachable"}
		att, _ := json.Marshal(p.attempts)
		f.Attempts = string(att)
	} else {
		if phone := strings.TrimSpace(form.Basic.Phone); phone != "" && phone != ledgerPhone {
			f.PhoneEnc = s.box.Seal("verify_forms", "phone", f.ID, phone)
		}
		f.CountsAsWorker = ck.countsAsWorker
		f.ConfirmMethod = sub.Proof.ConfirmMethod
		if l := sub.Proof.Location; l != nil {
			f.Lat, f.Lng, f.Accuracy = &l.Lat, &l.Lng, &l.Accuracy
		}
	}
	if sub.Form.Verification == "unreachable" && sub.Proof.Location != nil {
		l := sub.Proof.Location
		f.Lat, f.Lng, f.Accuracy = &l.Lat, &l.Lng, &l.Accuracy
	}
	form.Basic.Phone = ""
	form.Basic.PhoneMasked, form.Basic.IDMasked = lab.PhoneMasked, lab.IDMasked
	b, _ := json.Marshal(form)
	f.Payload = string(b)
	return f
}

// FormOf decodes a stored form.
func FormOf(f *model.VerifyForm) Form {
	var out Form
	_ = json.Unmarshal([]byte(f.Payload), &out)
	return out
}

// AttemptsOf decodes the attempts of an unreachable visit.
func AttemptsOf(f *model.VerifyForm) []Attempt {
	var out []Attempt
	if f.Attempts != "" {
		_ = json.Unmarshal([]byte(f.Attempts), &out)
	}
	return out
}
