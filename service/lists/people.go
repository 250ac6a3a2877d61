package lists

import (
	"context"
	"fmt"
)

// Page is one page of a list's people.
type Page struct {
	Scope    *Scope
	List     string
	Items    []Person
	Total    int
	Page     int
	PageSize int
}

// People returns a page of the people on a list, in ledger (id) order, with
// personal numbers masked.
func (s *Service) People(ctx context.Context, list string, p Params, page, size int) (*Page, error) {
	if err := ValidList(list); err != nil {
		return nil, err
	}
	sc, err := s.Resolve(ctx, p)
	if err != nil {
		return nil, err
	}
	if page < 1 {
		page = 1
	}
	if size < 1 {
		size = 20
	}
	if size > MaxPageSize {
		size = MaxPageSize
	}
	out := &Page{Scope: sc, List: list, Page: page, PageSize: size, Items: []Person{}}
	offset := (page - 1) * size
	if list == LabourBase {
		// Every labourer in scope: count and page in SQL, derive the page.
		var total int64
		if err := s.base(ctx, sc).Count(&total).Error; err != nil {
			return nil, fmt.Errorf("lists: people: %w", err)
		}
		out.Total = int(total)
		var rows []labRow
		if err := s.selectRows(s.base(ctx, sc), sc).Order("labourers.id").Limit(size).Offset(offset).Scan(&rows).Error; err != nil {
			return nil, fmt.Errorf("lists: people: %w", err)
		}
		if len(rows) > 0 {
			if out.Items, err = s.evaluate(ctx, sc, rows); err != nil {
				return nil, err
			}
		}
		return out, nil
	}
	// Membership is derived, so the scan counts every member and keeps the page.
	n := 0
	err = s.scan(ctx, sc, false, func(p *Person) error {
		if !p.On(list) {
			return nil
		}
		if n >= offset && n < offset+size {
			out.Items = append(out.Items, *p)
		}
		n++
		return nil
	})
	if err != nil {
		return nil, err
	}
	out.Total = n
	return out, nil
}
