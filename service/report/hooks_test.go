package report

import "time"

// SetAfterPage installs a function a build calls after each page of fact
// rows it writes, before the village rows and the catch-up (tests only).
func SetAfterPage(s *Service, fn func(year int)) { s.afterPage = fn }

// SetBuildWait sets how long a request waits for a build (a negative value
// waits until it is done).
func (s *Service) SetBuildWait(d time.Duration) { s.buildWait = d }
