package region

import (
	"fmt"
	"strings"

	"github.com/jiuyebang/jiuyebang/model"
	"github.com/jiuyebang/jiuyebang/service/apperr"
)

// Candidate is one of several regions a name could mean, as the client
// shows it for a choice; it travels in the ambiguous error's Data.
type Candidate struct {
	Code  string `json:"code"`
	Name  string `json:"name"`
	Level int    `json:"level"`
	Path  string `json:"path"` // PathName: "甘肃省 兰州市 榆中县 城关镇"
}

// maxListed candidates are named in the ambiguous error's message; all of
// them are in its Data.
const maxListed = 8

// Lookup finds the region a name means. It accepts the full name
// ("东乡族自治县") and the short forms government papers use ("东乡县",
// "甘南州", "积石山县", "甘肃", "X村" for "X村民委员会"): an exact full name
// wins over a short form. within, when not "", restricts the search to the
// regions below that code.
//
// A unique match is returned alone. When the name matches a region and its
// descendant of the same name (嘉峪关市 the city and 嘉峪关市 its only
// county) the higher one is returned; look it up within the city for the
// county. Otherwise several matches give a validation error on field "name",
// code "ambiguous_region", listing the candidates with their parents (its
// Data holds []Candidate), and the candidates are returned with it; no match
// gives code "unknown_region".
func (s *Service) Lookup(name string, within string) ([]model.Region, error) {
	x := s.idx.Load()
	name = strings.TrimSpace(name)
	if name == "" {
		return nil, apperr.Invalid("name", "required", "请填写地区名称")
	}
	if within != "" {
		if _, ok := x.byCode[within]; !ok {
			return nil, apperr.Invalid("within", "unknown_region", "上级地区不存在")
		}
	}
	found := x.below(x.byName[name], within)
	if len(found) == 0 {
		found = x.below(x.byKey[shortName(name, 0)], within)
	}
	switch {
	case len(found) == 0:
		msg := fmt.Sprintf("找不到地区“%s”", name)
		if within != "" {
			msg = fmt.Sprintf("%s下找不到地区“%s”", x.regions[x.byCode[within]].Name, name)
		}
		return nil, apperr.Invalid("name", "unknown_region", msg)
	case len(found) == 1 || onOneLine(x, found):
		return x.list(found[:1]), nil
	}
	return x.list(found), x.ambiguous(found)
}

// below keeps the positions strictly below within (all when within is "").
// It returns a new slice.
func (x *index) below(pos []int32, within string) []int32 {
	var out []int32
	for _, i := range pos {
		c := x.regions[i].Code
		if within == "" || (len(c) > len(within) && strings.HasPrefix(c, within)) {
			out = append(out, i)
		}
	}
	return out
}

// onOneLine reports whether each region is an ancestor of the next (the
// positions are in code order, so ancestors come first).
func onOneLine(x *index, pos []int32) bool {
	for n := 1; n < len(pos); n++ {
		if !strings.HasPrefix(x.regions[pos[n]].Code, x.regions[pos[n-1]].Code) {
			return false
		}
	}
	return true
}

// ambiguous builds the error for a name with several matches: "有多个同名地区：
// 城关镇（定西市岷县）、城关镇（陇南市礼县）…，请选上级地区".
func (x *index) ambiguous(pos []int32) error {
	cands := make([]Candidate, len(pos))
	var b strings.Builder
	b.WriteString("有多个同名地区：")
	for n, i := range pos {
		r := x.regions[i]
		var names []string
		for _, p := range x.path(r.Code) {
			names = append(names, x.regions[p].Name)
		}
		cands[n] = Candidate{Code: r.Code, Name: r.Name, Level: r.Level, Path: strings.Join(names, " ")}
		if n >= maxListed {
			continue
		}
		if n > 0 {
			b.WriteString("、")
		}
		b.WriteString(r.Name)
		// The parents below the province tell same-named places apart; a
		// city or a province is told apart by its province or not at all.
		parents := names[:len(names)-1]
		if len(parents) > 1 {
			parents = parents[1:]
		}
		if len(parents) > 0 {
			b.WriteString("（" + strings.Join(parents, "") + "）")
		}
	}
	if len(pos) > maxListed {
		fmt.Fprintf(&b, "等%d个", len(pos))
	}
	b.WriteString("，请选上级地区")
	err := apperr.Invalid("name", "ambiguous_region", b.String())
	if e, ok := apperr.As(err); ok {
		e.Data = cands
	}
	return err
}
