package status

import "database/sql"

// MultiPool is the service's multi-statement pool (nil off MySQL), for tests.
func MultiPool(s *Service) *sql.DB { return s.multi }
