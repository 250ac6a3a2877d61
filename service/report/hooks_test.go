package report

// SetAfterPage installs a function a build calls after each page of fact
// rows it writes, before the village rows and the catch-up (tests only).
func SetAfterPage(s *Service, fn func(year int)) { s.afterPage = fn }
