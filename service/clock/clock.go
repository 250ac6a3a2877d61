// Package clock is the process-wide clock: time.Now plus an offset that only
// the development clock route (DEV_CLOCK, never in production) can move.
// main hands Clock.Now to every service that takes a `now`, so the public
// notice, the claim window, tokens, cases and reports all read one time.
// The offset lives in this process only: a separate `worker` process keeps
// its own (zero) offset.
package clock

import (
	"fmt"
	"sync/atomic"
	"time"

	"github.com/jiuyebang/jiuyebang/service/apperr"
)

// China is China Standard Time (UTC+8, no daylight saving): where the day of
// a report, a notice period, a claim window or a push limit begins and ends.
// Every package reads dates in this one zone.
var China = time.FixedZone("CST", 8*3600)

// MaxOffsetHours bounds the offset: a little over a year (366 days), enough
// for a claim window, a notice period and a 定额预付 settlement deadline.
const MaxOffsetHours = 24 * 366

// Clock is time.Now plus an offset in whole hours, safe for concurrent use.
// The zero value reads the real time.
type Clock struct {
	hours atomic.Int64
}

// New returns a clock reading the real time.
func New() *Clock { return &Clock{} }

// Now is the clock's current time.
func (c *Clock) Now() time.Time {
	return time.Now().Add(time.Duration(c.hours.Load()) * time.Hour)
}

// OffsetHours is how many hours the clock runs ahead of the real time.
func (c *Clock) OffsetHours() int { return int(c.hours.Load()) }

// SetOffsetHours moves the clock to the real time plus h hours. The offset
// is never negative (time does not run backwards for rows already written)
// and at most MaxOffsetHours.
func (c *Clock) SetOffsetHours(h int) error {
	if h < 0 || h > MaxOffsetHours {
		return apperr.Invalid("offset_hours", "out_of_range", fmt.Sprintf("偏移小时数应为0到%d之间的整数", MaxOffsetHours))
	}
	c.hours.Store(int64(h))
	return nil
}
