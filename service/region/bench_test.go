package region

import (
	"testing"

	"github.com/jiuyebang/jiuyebang/model"
)

// BenchmarkLookup resolves a mix of full names, short forms, an ambiguous
// and an unknown name over Gansu's index.
func BenchmarkLookup(b *testing.B) {
	s := memService(b, GansuCode, model.LevelVillage)
	queries := []struct{ name, within string }{
		{"东乡县", ""},
		{"积石山保安族东乡族撒拉族自治县", ""},
		{"甘南州", ""},
		{"城关镇", "622924"},
		{"畅家巷社区", "620102"},
		{"城关镇", ""}, // ambiguous: builds the error
		{"不存在县", ""},
	}
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		q := queries[i%len(queries)]
		_, _ = s.Lookup(q.name, q.within)
	}
}

func BenchmarkPlaceScope(b *testing.B) {
	s := New(nil)
	places := []string{"622926100002", "622921", "6201", "440103001101", "62"}
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		_ = s.PlaceScope("622926100001", places[i%len(places)])
	}
}

// BenchmarkLoadIndex builds the index over Gansu's rows (what Load does
// after reading the table).
func BenchmarkLoadIndex(b *testing.B) {
	rows := embeddedRegions(b, GansuCode, model.LevelVillage)
	b.ReportAllocs()
	for b.Loop() {
		buildIndex(append([]model.Region(nil), rows...))
	}
}
