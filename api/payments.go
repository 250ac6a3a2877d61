package api

import "github.com/gin-gonic/gin"

// mountPayments registers the public notice and payment batch routes on the authenticated group.
func (s *Server) mountPayments(in *gin.RouterGroup) {}
