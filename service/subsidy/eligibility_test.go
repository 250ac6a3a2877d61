package subsidy

import (
	"testing"
	"time"

	"github.com/jiuyebang/jiuyebang/model"
)

func day(s string) time.Time {
	d, err := time.Parse(dateLayout, s)
	if err != nil {
		panic(err)
	}
	return d
}

func dayPtr(s string) *time.Time { d := day(s); return &d }

// fullTerms asks for every condition: category 脱贫人口, 本省户籍, verified
// out-of-county work, 3 months, organised, a ticket; amounts by destination.
func fullTerms(mode string) Terms {
	return Terms{PolicyID: 1, Version: 1, ProvinceCode: "62", Year: 2026, Kind: model.SubsidyTransport, Mode: mode,
		ByDestination: true, AmountInProvinceFen: 20000, AmountOutProvinceFen: 50000, Categories: []string{"lifted"},
		OutOfCounty: true, MonthsRequired: 3, Organised: true, NativeOnly: true, Documents: []string{DocTicket}}
}

// fullFacts meet every condition of fullTerms: a trip on 10 Feb, verified
// organised work out of the province from 12 Feb, read on 1 July.
func fullFacts() Facts {
	return Facts{InLedger: true, State: "normal", Category: "lifted", ProvinceCode: "62", TripDate: dayPtr("2026-02-10"),
		TripScope: "out_province", HasTicket: true, AsOf: day("2026-07-01"),
		Spells: []SpellFact{{ID: 7, Start: day("2026-02-12"), Scope: "out_province", Form: "employed", MonthlyWage: 5000, Organised: true}}}
}

func TestEvaluateEveryConditionBothWays(t *testing.T) {
	cases := []struct {
		name   string
		terms  func(*Terms)
		facts  func(*Facts)
		cond   string // the condition under test
		met    bool
		proven bool
		amount int64
	}{
		{"all met: in ledger", nil, nil, CondInLedger, true, true, 50000},
		{"pending record", nil, func(f *Facts) { f.InLedger = false }, CondInLedger, false, false, 50000},
		{"永久退出", nil, func(f *Facts) { f.State = "perm_exit" }, CondInLedger, false, false, 50000},
		{"all met: category", nil, nil, CondCategory, true, true, 50000},
		{"wrong category", nil, func(f *Facts) { f.Category = "registered_poor" }, CondCategory, false, false, 50000},
		{"all met: native", nil, nil, CondNative, true, true, 50000},
		{"another province's 户籍", nil, func(f *Facts) { f.ProvinceCode = "63" }, CondNative, false, false, 50000},
		{"all met: destination proven by the spell", nil, nil, CondDestination, true, true, 50000},
		{"destination only on the worker's word", nil, func(f *Facts) { f.Spells = nil }, CondDestination, true, false, 50000},
		{"destination in the county", nil, func(f *Facts) { f.Spells = nil; f.TripScope = "in_county" }, CondDestination, false, false, 0},
		{"ledger wins over the trip: 省内县外 spell", nil, func(f *Facts) { f.Spells[0].Scope = "in_province" }, CondDestination, true, true, 20000},
		{"all met: out-of-county work", nil, nil, CondOutOfCounty, true, true, 50000},
		{"no verified spell", nil, func(f *Facts) { f.Spells = nil }, CondOutOfCounty, false, false, 50000},
		{"spell in the county only", nil, func(f *Facts) { f.Spells[0].Scope = "in_county" }, CondOutOfCounty, false, false, 50000},
		{"spell long before the trip", nil, func(f *Facts) {
			f.Spells[0].Start, f.Spells[0].End = day("2025-03-01"), dayPtr("2025-12-31")
		}, CondOutOfCounty, false, false, 50000},
		{"spell started months after the trip", nil, func(f *Facts) { f.Spells[0].Start = day("2026-05-01") }, CondOutOfCounty, false, false, 50000},
		{"all met: months", nil, nil, CondMonths, true, true, 50000},
		{"too few months", nil, func(f *Facts) { f.Spells[0].End = dayPtr("2026-04-15") }, CondMonths, false, false, 50000},
		{"self-employed months do not count", nil, func(f *Facts) { f.Spells[0].Form = "self_employed" }, CondMonths, false, false, 50000},
		{"all met: organised", nil, nil, CondOrganised, true, true, 50000},
		{"not organised", nil, func(f *Facts) { f.Spells[0].Organised = false }, CondOrganised, false, false, 50000},
		{"all met: ticket", nil, nil, CondDocuments, true, true, 50000},
		{"no ticket", nil, func(f *Facts) { f.HasTicket = false }, CondDocuments, false, false, 50000},
		{"fixed amount ignores destination", func(t *Terms) { t.ByDestination, t.AmountFen = false, 30000 }, nil, CondDestination, true, true, 30000},
	}
	for _, mode := range []string{model.ModeAuto, model.ModePrepaid, model.ModeReviewed} {
		for _, tc := range cases {
			t.Run(mode+"/"+tc.name, func(t *testing.T) {
				terms, facts := fullTerms(mode), fullFacts()
				if tc.terms != nil {
					tc.terms(&terms)
				}
				if tc.facts != nil {
					tc.facts(&facts)
				}
				d := Evaluate(terms, facts)
				var got *Condition
				for i := range d.Conditions {
					if d.Conditions[i].Code == tc.cond {
						got = &d.Conditions[i]
					}
				}
				if got == nil {
					t.Fatalf("condition %s missing from %+v", tc.cond, d.Conditions)
				}
				if got.Met != tc.met || got.Proven != tc.proven {
					t.Fatalf("%s: met=%v proven=%v (%s), want met=%v proven=%v", tc.cond, got.Met, got.Proven, got.Reason, tc.met, tc.proven)
				}
				if got.Reason == "" || got.Label == "" {
					t.Fatalf("%s: no Chinese reason", tc.cond)
				}
				if d.AmountFen != tc.amount {
					t.Fatalf("amount = %d, want %d", d.AmountFen, tc.amount)
				}
				// The state each mode takes.
				want := model.ClaimSubmitted
				allMet := tc.met && tc.proven && d.AllProven(StageDecide) && d.AmountFen > 0
				switch {
				case mode == model.ModeAuto && allMet && d.AllProven(StageSettle):
					want = model.ClaimApproved
				case mode == model.ModePrepaid && d.AllProven(StageDecide) && d.AmountFen > 0:
					want = model.ClaimAdvanceDue
				}
				if got := InitialState(mode, d, false); got != want {
					t.Fatalf("state = %s, want %s (conditions %+v)", got, want, d.Conditions)
				}
				if InitialState(mode, d, true) != model.ClaimSubmitted {
					t.Fatal("a generated claim must wait for the task force")
				}
			})
		}
	}
}

// Under 定额预付 the months are a settlement condition: a worker who has just
// left is paid in advance, and the months decide settlement later.
func TestPrepaidMonthsAreSettledLater(t *testing.T) {
	terms, facts := fullTerms(model.ModePrepaid), fullFacts()
	facts.AsOf = day("2026-02-20") // ten days after the trip
	d := Evaluate(terms, facts)
	if InitialState(model.ModePrepaid, d, false) != model.ClaimAdvanceDue {
		t.Fatalf("want advance_due, conditions %+v", d.Conditions)
	}
	for _, c := range d.Conditions {
		if c.Code == CondMonths && (c.Met || c.Stage != StageSettle) {
			t.Fatalf("months should be unmet and a settlement condition: %+v", c)
		}
	}
	// 免审即享 with the same facts waits for review: the months are not proven.
	terms.Mode = model.ModeAuto
	if s := InitialState(model.ModeAuto, Evaluate(terms, facts), false); s != model.ClaimSubmitted {
		t.Fatalf("auto without the months = %s, want submitted", s)
	}
}

// Workshop (seed 004 三): 3,000 yuan per 本省 脱贫 worker employed six months
// or more in the policy's work year at the workshop.
func TestEvaluateWorkshop(t *testing.T) {
	terms := Terms{ProvinceCode: "62", Year: 2026, Kind: model.SubsidyWorkshop, Mode: model.ModeReviewed, AmountFen: 300000,
		Categories: []string{"lifted"}, MonthsRequired: 6, NativeOnly: true}
	base := func() Facts {
		return Facts{InLedger: true, State: "normal", Category: "lifted", ProvinceCode: "62", AsOf: day("2026-11-01"), Workshop: true,
			Spells: []SpellFact{{ID: 1, Start: day("2025-12-01"), End: dayPtr("2026-05-31"), Scope: "in_county", Form: "workshop", MonthlyWage: 2500}}}
	}
	cases := []struct {
		name string
		mod  func(*Facts)
		ok   bool
	}{
		{"six whole months", nil, true},
		{"one day short", func(f *Facts) { f.Spells[0].End = dayPtr("2026-05-30") }, false},
		{"months outside the work year do not count", func(f *Facts) {
			f.Spells[0].Start, f.Spells[0].End = day("2025-06-01"), dayPtr("2025-12-31")
		}, false},
		{"not 脱贫人口", func(f *Facts) { f.Category = "monitored" }, false},
		{"not 甘肃籍", func(f *Facts) { f.ProvinceCode = "61" }, false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			f := base()
			if tc.mod != nil {
				tc.mod(&f)
			}
			d := Evaluate(terms, f)
			if d.AllMet(StageDecide) != tc.ok {
				t.Fatalf("eligible = %v, want %v: %+v", !tc.ok, tc.ok, d.Conditions)
			}
			if d.AmountFen != 300000 {
				t.Fatalf("amount = %d", d.AmountFen)
			}
		})
	}
}

func TestTransitionsTable(t *testing.T) {
	ok := [][2]model.ClaimState{{"submitted", "approved"}, {"submitted", "rejected"}, {"submitted", "advance_due"},
		{"approved", "in_notice"}, {"in_notice", "notice_passed"}, {"in_notice", "objected"}, {"notice_passed", "in_batch"},
		{"in_batch", "paid"}, {"in_batch", "pay_failed"}, {"advance_due", "in_batch"}, {"in_batch", "prepaid"},
		{"in_batch", "notice_passed"}, {"in_batch", "advance_due"}, {"prepaid", "settled"}, {"prepaid", "recovery"},
		{"advance_due", "approved"}, {"advance_due", "lapsed"}, {"pay_failed", "approved"}, {"pay_failed", "lapsed"}}
	for _, p := range ok {
		if !model.AllowedTransition(p[0], p[1]) {
			t.Errorf("%s → %s should be allowed", p[0], p[1])
		}
	}
	bad := [][2]model.ClaimState{{"submitted", "paid"}, {"approved", "paid"}, {"rejected", "approved"}, {"paid", "in_batch"},
		{"settled", "recovery"}, {"prepaid", "paid"}, {"submitted", "prepaid"}, {"advance_due", "prepaid"}, {"advance_due", "in_notice"},
		{"advance_due", "settled"}, {"advance_due", "recovery"}, {"pay_failed", "notice_passed"},
		{"in_batch", "lapsed"}, {"in_batch", "approved"}, {"prepaid", "lapsed"}, {"lapsed", "approved"}, {"lapsed", "in_batch"}}
	for _, p := range bad {
		if model.AllowedTransition(p[0], p[1]) {
			t.Errorf("%s → %s should be refused", p[0], p[1])
		}
	}
	if !model.ClaimTerminal(model.ClaimLapsed) || model.ClaimLapsed.Label() != "已失效" {
		t.Errorf("lapsed should be terminal and labelled 已失效: %q", model.ClaimLapsed.Label())
	}
	for _, o := range model.ClaimStates {
		if o.Label == "" {
			t.Errorf("%s has no label", o.Code)
		}
	}
}
