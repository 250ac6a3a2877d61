package api

import "github.com/gin-gonic/gin"

// mountReports registers the region and province table, target and dashboard routes on the authenticated group.
func (s *Server) mountReports(in *gin.RouterGroup) {}
