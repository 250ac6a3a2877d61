package clock

import (
	"testing"
	"time"

	"github.com/jiuyebang/jiuyebang/service/apperr"
)

func TestOffset(t *testing.T) {
	c := New()
	if d := time.Since(c.Now()); d < -time.Second || d > time.Second {
		t.Fatalf("a new clock is %v off the real time", d)
	}
	if err := c.SetOffsetHours(200); err != nil {
		t.Fatal(err)
	}
	if d := c.Now().Sub(time.Now()); d < 200*time.Hour-time.Second || d > 200*time.Hour+time.Second {
		t.Fatalf("offset 200 h reads %v ahead", d)
	}
	for _, h := range []int{-1, MaxOffsetHours + 1} {
		err := c.SetOffsetHours(h)
		if e, ok := apperr.As(err); !ok || e.Kind != apperr.KindValidation || len(e.Fields) != 1 || e.Fields[0].Code != "out_of_range" {
			t.Fatalf("offset %d: %v", h, err)
		}
	}
	if c.OffsetHours() != 200 {
		t.Fatalf("a refused offset changed the clock: %d", c.OffsetHours())
	}
	if err := c.SetOffsetHours(0); err != nil || c.OffsetHours() != 0 {
		t.Fatalf("reset: %v %d", err, c.OffsetHours())
	}
}
