package verify

import (
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"math"
	"net/http"
	"strings"
	"time"

	"github.com/jiuyebang/jiuyebang/model"
	"github.com/jiuyebang/jiuyebang/service/apperr"
)

// Proof is the proof of the visit (seed 002 三(一)1: 信息采集表需入户人员签字,
// and the form's 贫困户签字 / 采集人签字): when, where the collector's phone
// was, how it was done, the labourer's confirmation, optional photos, and for
// 联系不上 the attempts made. The collector is the submitting account.
type Proof struct {
	VisitedAt     string    `json:"visited_at"` // RFC 3339
	Method        string    `json:"method"`     // model.ContactMethods: visit or phone (电话或入户核实)
	Location      *Location `json:"location"`
	ConfirmMethod string    `json:"confirm_method"` // model.ConfirmMethods
	Signature     string    `json:"signature"`      // PNG, base64 (a data: URL prefix is accepted)
	Photos        []string  `json:"photos"`         // JPEG or PNG, base64
	Attempts      []Attempt `json:"attempts"`       // 联系不上: each try
}

// Location is the phone's position at the visit.
type Location struct {
	Lat      float64 `json:"lat"`
	Lng      float64 `json:"lng"`
	Accuracy float64 `json:"accuracy"` // metres
}

// Attempt is one try to reach an unreachable labourer.
type Attempt struct {
	At     string `json:"at"` // RFC 3339
	Method string `json:"method"`
	Note   string `json:"note"`
}

// image is a decoded, checked upload.
type image struct {
	kind, mime string
	data       []byte
}

// provedVisit is the checked proof.
type provedVisit struct {
	at       time.Time
	images   []image
	attempts []Attempt
}

var pngMagic = []byte("\x89PNG\r\n\x1a\n")

// checkProof validates the proof of a visit for a verification result.
func (s *Service) checkProof(p *Proof, verification string) (*provedVisit, error) {
	var f apperr.Fields
	out := &provedVisit{}
	at, ok := s.instant(&f, "proof.visited_at", p.VisitedAt)
	if ok {
		out.at = at
	}
	if verification == "unreachable" {
		s.checkAttempts(&f, p.Attempts, out)
		if p.Signature != "" || p.ConfirmMethod != "" {
			f.Add("proof.confirm_method", "not_allowed", "联系不上的人员无法本人确认")
		}
		s.photos(&f, p.Photos, out)
		return out, f.Err()
	}
	if len(p.Attempts) > 0 {
		f.Add("proof.attempts", "not_allowed", "已核实的不填联系不上的尝试记录")
	}
	switch p.Method {
	case "visit":
		if p.Location == nil {
			f.Add("proof.location", "required", "入户核实须记录手机定位，请打开定位后重试")
		}
	case "phone":
		if p.ConfirmMethod == "signature" {
			f.Add("proof.confirm_method", "phone_needs_account", "电话核实无法当面签字，请让本人在小程序里确认")
		}
	default:
		f.Add("proof.method", "invalid_enum", "请选择核实方式（入户或电话）")
	}
	if l := p.Location; l != nil {
		switch {
		case math.IsNaN(l.Lat) || l.Lat < -90 || l.Lat > 90 || math.IsNaN(l.Lng) || l.Lng < -180 || l.Lng > 180:
			f.Add("proof.location", "invalid_location", "定位坐标不对")
		case l.Lat < 3 || l.Lat > 54 || l.Lng < 73 || l.Lng > 136:
			f.Add("proof.location", "outside_china", "定位不在中国境内，请重新定位")
		case !(l.Accuracy > 0) || l.Accuracy > MaxLocationAccuracy:
			f.Add("proof.location.accuracy", "out_of_range", fmt.Sprintf("定位精度应在0到%.0f米之间，请到室外重新定位", MaxLocationAccuracy))
		}
	}
	switch p.ConfirmMethod {
	case "signature":
		img, err := decodeImage(p.Signature, MaxSignatureBytes)
		switch {
		case p.Signature == "":
			f.Add("proof.signature", "required", "请让本人在屏幕上签名")
		case err != nil:
			f.Add("proof.signature", err.Error(), imageMessage(err.Error(), MaxSignatureBytes))
		case !bytes.HasPrefix(img, pngMagic):
			f.Add("proof.signature", "not_png", "签名图片应为 PNG")
		default:
			out.images = append(out.images, image{kind: "signature", mime: "image/png", data: img})
		}
	case "worker_account":
		if p.Signature != "" {
			f.Add("proof.signature", "not_allowed", "选择本人微信确认时不上传签名")
		}
	default:
		f.Add("proof.confirm_method", "invalid_enum", "请选择本人确认方式（签名或本人微信确认）")
	}
	s.photos(&f, p.Photos, out)
	return out, f.Err()
}

func (s *Service) photos(f *apperr.Fields, photos []string, out *provedVisit) {
	if len(photos) > MaxPhotos {
		f.Add("proof.photos", "too_many", fmt.Sprintf("照片最多%d张", MaxPhotos))
		return
	}
	for i, ph := range photos {
		field := fmt.Sprintf("proof.photos.%d", i)
		img, err := decodeImage(ph, MaxPhotoBytes)
		if err != nil {
			f.Add(field, err.Error(), imageMessage(err.Error(), MaxPhotoBytes))
			continue
		}
		mime := http.DetectContentType(img)
		if mime != "image/jpeg" && mime != "image/png" {
			f.Add(field, "bad_image_type", "照片应为 JPEG 或 PNG")
			continue
		}
		out.images = append(out.images, image{kind: "photo", mime: mime, data: img})
	}
}

func (s *Service) checkAttempts(f *apperr.Fields, list []Attempt, out *provedVisit) {
	switch {
	case len(list) == 0:
		f.Add("proof.attempts", "required", "联系不上的，请记录每次联系的时间和方式")
		return
	case len(list) > MaxAttempts:
		f.Add("proof.attempts", "too_many", fmt.Sprintf("联系记录最多%d条", MaxAttempts))
		return
	}
	for i := range list {
		a := &list[i]
		p := fmt.Sprintf("proof.attempts.%d.", i)
		s.instant(f, p+"at", a.At)
		if !model.ContactMethods.Valid(a.Method) {
			f.Add(p+"method", "invalid_enum", "请选择联系方式")
		}
		a.Note = strings.TrimSpace(a.Note)
		if len([]rune(a.Note)) > maxNoteRunes {
			f.Add(p+"note", "too_long", "备注100字以内")
		}
	}
	out.attempts = list
}

// instant reads an RFC 3339 time: not in the future (beyond clock skew) and
// not older than an offline draft may be.
func (s *Service) instant(f *apperr.Fields, field, v string) (time.Time, bool) {
	if v == "" {
		f.Add(field, "required", "请填写时间")
		return time.Time{}, false
	}
	t, err := time.Parse(time.RFC3339, v)
	now := s.now()
	switch {
	case err != nil:
		f.Add(field, "invalid_time", "时间格式不对")
	case t.After(now.Add(clockSkew)):
		f.Add(field, "future_time", "时间不能晚于现在，请检查手机时间")
	case t.Before(now.Add(-MaxDraftAge)):
		f.Add(field, "too_old", "这份草稿太久了，请重新核实")
	default:
		return t, true
	}
	return time.Time{}, false
}

// decodeImage decodes base64 (optionally a data: URL) within a size cap.
func decodeImage(v string, max int) ([]byte, error) {
	if v == "" {
		return nil, fmt.Errorf("required")
	}
	if i := strings.Index(v, ","); strings.HasPrefix(v, "data:") && i > 0 {
		v = v[i+1:]
	}
	if base64.StdEncoding.DecodedLen(len(v)) > max+3 {
		return nil, fmt.Errorf("image_too_large")
	}
	b, err := base64.StdEncoding.DecodeString(v)
	if err != nil {
		return nil, fmt.Errorf("invalid_base64")
	}
	if len(b) > max {
		return nil, fmt.Errorf("image_too_large")
	}
	return b, nil
}

func imageMessage(code string, max int) string {
	switch code {
	case "image_too_large":
		return fmt.Sprintf("图片不能超过%dKB", max>>10)
	case "invalid_base64":
		return "图片数据不完整，请重新拍摄或签名"
	}
	return "请上传图片"
}

func sha(b []byte) string {
	h := sha256.Sum256(b)
	return hex.EncodeToString(h[:])
}
