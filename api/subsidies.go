package api

import "github.com/gin-gonic/gin"

// mountSubsidies registers the subsidy policy and claim routes on the authenticated group.
func (s *Server) mountSubsidies(in *gin.RouterGroup) {}
