package httpapi

import (
	"github.com/gin-gonic/gin"

	"github.com/servicekatalog/servicekatalog/internal/page"
	"github.com/servicekatalog/servicekatalog/internal/task"
)

// issueTask godoc
// @Summary  Issue a task to municipalities (secretariat, council)
// @Description A task as KLIK has them: number, title, project, mandatory or optional, duration, start and end date,
// @Description goal, description, numbered method, result criterion, recommended performer, parties to involve,
// @Description contact; to the municipalities named, or to every one. A platform check as evidence (mailbox_ready)
// @Description lets a municipality complete the task only once the data shows it done.
// @ID       issueTask
// @Tags     tasks
// @Accept   json
// @Produce  json,application/problem+json
// @Param    Idempotency-Key header string       true "A key of your choice, unique per change (8-255 characters)"
// @Param    body            body   task.NewTask true "The task"
// @Success  201 {object} task.Task
// @Failure  400 {object} Problem "A field, a date out of order, a duration longer than the dates allow, a number in use, an unknown municipality."
// @Security BearerAuth
// @Router   /api/v1/tasks [post]
func (s *Server) issueTask(c *gin.Context) {
	creates(s, c, func(in task.NewTask) (task.Task, int, error) {
		t, err := s.Tasks.Issue(ctx(c), in)
		return t, t.Version, err
	})
}

// listTasks godoc
// @Summary  The tasks issued, by number
// @ID       listTasks
// @Tags     tasks
// @Produce  json,application/problem+json
// @Param    limit  query int    false "Page size, 1-200" default(50)
// @Param    cursor query string false "Cursor from the previous page's next link"
// @Success  200 {object} List[task.Task]
// @Security BearerAuth
// @Router   /api/v1/tasks [get]
func (s *Server) listTasks(c *gin.Context) {
	listed(s, c, func(p page.Request) (page.Page[task.Task], error) { return s.Tasks.List(ctx(c), p) })
}

// getTask godoc
// @Summary  One task
// @ID       getTask
// @Tags     tasks
// @Produce  json,application/problem+json
// @Param    id path string true "Task id" format(uuid)
// @Success  200 {object} task.Task
// @Header   200 {string} ETag "The version, for If-Match"
// @Security BearerAuth
// @Router   /api/v1/tasks/{id} [get]
func (s *Server) getTask(c *gin.Context) {
	id, err := idParam(c, "id", "task")
	var t task.Task
	if err == nil {
		t, err = s.Tasks.Get(ctx(c), id)
	}
	if err != nil {
		s.fail(c, err)
		return
	}
	versioned(c, 200, t.Version, t)
}

// editTask godoc
// @Summary  Edit an issued task (secretariat, council): a new version, with the reason
// @Description Send the task's fields whole, as they are to read. The municipalities keep where they stand.
// @ID       editTask
// @Tags     tasks
// @Accept   json
// @Produce  json,application/problem+json
// @Param    id       path   string    true "Task id" format(uuid)
// @Param    If-Match header string    true "The task's ETag"
// @Param    body     body   task.Edit true "The task as it is to read, and why"
// @Success  200 {object} task.Task
// @Header   200 {string} ETag "The version, for If-Match"
// @Security BearerAuth
// @Router   /api/v1/tasks/{id} [put]
func (s *Server) editTask(c *gin.Context) {
	id, err := idParam(c, "id", "task")
	var version int
	if err == nil {
		version, err = ifMatch(c)
	}
	var in task.Edit
	if err == nil {
		err = bind(c, &in)
	}
	var t task.Task
	if err == nil {
		t, err = s.Tasks.Edit(ctx(c), id, version, in)
	}
	if err != nil {
		s.fail(c, err)
		return
	}
	versioned(c, 200, t.Version, t)
}

// listTaskVersions godoc
// @Summary  Every version of a task, with who changed it and why
// @ID       listTaskVersions
// @Tags     tasks
// @Produce  json,application/problem+json
// @Param    id path string true "Task id" format(uuid)
// @Success  200 {array} task.Version
// @Security BearerAuth
// @Router   /api/v1/tasks/{id}/versions [get]
func (s *Server) listTaskVersions(c *gin.Context) {
	id, err := idParam(c, "id", "task")
	var vs []task.Version
	if err == nil {
		vs, err = s.Tasks.Versions(ctx(c), id)
	}
	if err != nil {
		s.fail(c, err)
		return
	}
	c.JSON(200, vs)
}

// listTaskAssignments godoc
// @Summary  Where each municipality stands with a task (issuer): the not started, the overdue
// @Description Each municipality's status, expected date and reason, and the task's platform check as the data shows it.
// @ID       listTaskAssignments
// @Tags     tasks
// @Produce  json,application/problem+json
// @Param    id      path  string true  "Task id" format(uuid)
// @Param    status  query string false "Only the municipalities in this status" Enums(not_started,started,completed,confirmed)
// @Param    overdue query bool   false "Only those past the end date and not completed"
// @Param    limit   query int    false "Page size, 1-200" default(50)
// @Param    cursor  query string false "Cursor from the previous page's next link"
// @Success  200 {object} List[task.Assignment]
// @Security BearerAuth
// @Router   /api/v1/tasks/{id}/assignments [get]
func (s *Server) listTaskAssignments(c *gin.Context) {
	id, err := idParam(c, "id", "task")
	var overdue *bool
	if err == nil {
		overdue, err = optionalBool(c, "overdue")
	}
	if err != nil {
		s.fail(c, err)
		return
	}
	f := task.Filter{Status: c.Query("status"), Overdue: overdue != nil && *overdue}
	listed(s, c, func(p page.Request) (page.Page[task.Assignment], error) { return s.Tasks.Assignments(ctx(c), id, f, p) })
}

// confirmTask godoc
// @Summary  Confirm that a municipality completed a task (issuer)
// @ID       confirmTask
// @Tags     tasks
// @Produce  json,application/problem+json
// @Param    id   path string true "Task id" format(uuid)
// @Param    code path string true "The municipality's code, e.g. 101"
// @Success  200 {object} task.Assignment
// @Header   200 {string} ETag "The version, for If-Match"
// @Failure  409 {object} Problem "Only a completed task can be confirmed."
// @Security BearerAuth
// @Router   /api/v1/tasks/{id}/assignments/{code}/confirm [post]
func (s *Server) confirmTask(c *gin.Context) { s.actOnTask(c, task.Confirm, false) }

// returnTask godoc
// @Summary  Send a completed task back to a municipality (issuer), saying what is missing
// @ID       returnTask
// @Tags     tasks
// @Accept   json
// @Produce  json,application/problem+json
// @Param    id   path string         true "Task id" format(uuid)
// @Param    code path string         true "The municipality's code, e.g. 101"
// @Param    body body task.Returning true "What the municipality still has to do; kept as a comment"
// @Success  200 {object} task.Assignment
// @Header   200 {string} ETag "The version, for If-Match"
// @Failure  409 {object} Problem "Only a completed task can be sent back."
// @Security BearerAuth
// @Router   /api/v1/tasks/{id}/assignments/{code}/return [post]
func (s *Server) returnTask(c *gin.Context) { s.actOnTask(c, task.Return, true) }

// listIssuerTaskComments godoc
// @Summary  The comments on a municipality's execution of a task (issuer)
// @ID       listIssuerTaskComments
// @Tags     tasks
// @Produce  json,application/problem+json
// @Param    id   path string true "Task id" format(uuid)
// @Param    code path string true "The municipality's code, e.g. 101"
// @Success  200 {array} task.Comment
// @Security BearerAuth
// @Router   /api/v1/tasks/{id}/assignments/{code}/comments [get]
func (s *Server) listIssuerTaskComments(c *gin.Context) { s.taskComments(c) }

// addIssuerTaskComment godoc
// @Summary  Comment on a municipality's execution of a task (issuer)
// @ID       addIssuerTaskComment
// @Tags     tasks
// @Accept   json
// @Produce  json,application/problem+json
// @Param    id              path   string          true "Task id" format(uuid)
// @Param    code            path   string          true "The municipality's code, e.g. 101"
// @Param    Idempotency-Key header string          true "A key of your choice, unique per change (8-255 characters)"
// @Param    body            body   task.NewComment true "The comment"
// @Success  201 {object} task.Comment
// @Security BearerAuth
// @Router   /api/v1/tasks/{id}/assignments/{code}/comments [post]
func (s *Server) addIssuerTaskComment(c *gin.Context) { s.addTaskComment(c) }

// listMunicipalityTasks godoc
// @Summary  The tasks issued to the municipality, by number, with where it stands
// @ID       listMunicipalityTasks
// @Tags     tasks
// @Produce  json,application/problem+json
// @Param    code   path  string true  "Your municipality's official code, e.g. 101 (København) or 751 (Aarhus)"
// @Param    limit  query int    false "Page size, 1-200" default(50)
// @Param    cursor query string false "Cursor from the previous page's next link"
// @Success  200 {object} List[task.Assignment]
// @Security BearerAuth
// @Router   /api/v1/municipalities/{code}/tasks [get]
func (s *Server) listMunicipalityTasks(c *gin.Context) {
	listed(s, c, func(p page.Request) (page.Page[task.Assignment], error) {
		return s.Tasks.MunicipalityTasks(ctx(c), c.Param("code"), p)
	})
}

// getMunicipalityTask godoc
// @Summary  A task issued to the municipality, with where it stands and its platform check
// @ID       getMunicipalityTask
// @Tags     tasks
// @Produce  json,application/problem+json
// @Param    code path string true "Your municipality's official code, e.g. 101 (København) or 751 (Aarhus)"
// @Param    id   path string true "Task id" format(uuid)
// @Success  200 {object} task.Assignment
// @Header   200 {string} ETag "The version, for If-Match"
// @Security BearerAuth
// @Router   /api/v1/municipalities/{code}/tasks/{id} [get]
func (s *Server) getMunicipalityTask(c *gin.Context) {
	id, err := idParam(c, "id", "task")
	var a task.Assignment
	if err == nil {
		a, err = s.Tasks.Assignment(ctx(c), c.Param("code"), id)
	}
	if err != nil {
		s.fail(c, err)
		return
	}
	versioned(c, 200, a.Version, a)
}

// startTask godoc
// @Summary  Start a task (SPOC)
// @ID       startTask
// @Tags     tasks
// @Produce  json,application/problem+json
// @Param    code path string true "Your municipality's official code, e.g. 101 (København) or 751 (Aarhus)"
// @Param    id   path string true "Task id" format(uuid)
// @Success  200 {object} task.Assignment
// @Header   200 {string} ETag "The version, for If-Match"
// @Failure  409 {object} Problem "Only a task not started can be started."
// @Security BearerAuth
// @Router   /api/v1/municipalities/{code}/tasks/{id}/start [post]
func (s *Server) startTask(c *gin.Context) { s.actOnTask(c, task.Start, false) }

// completeTask godoc
// @Summary  Complete a task (SPOC); the issuer confirms it
// @Description A task with a platform check is completed once the check passes: the answer says what is missing.
// @ID       completeTask
// @Tags     tasks
// @Produce  json,application/problem+json
// @Param    code path string true "Your municipality's official code, e.g. 101 (København) or 751 (Aarhus)"
// @Param    id   path string true "Task id" format(uuid)
// @Success  200 {object} task.Assignment
// @Header   200 {string} ETag "The version, for If-Match"
// @Failure  409 {object} Problem "Completed already, or the platform check does not pass yet."
// @Security BearerAuth
// @Router   /api/v1/municipalities/{code}/tasks/{id}/complete [post]
func (s *Server) completeTask(c *gin.Context) { s.actOnTask(c, task.Complete, false) }

// expectTask godoc
// @Summary  Tell the issuer when the municipality expects to be done, and why not by the end date (SPOC)
// @ID       expectTask
// @Tags     tasks
// @Accept   json
// @Produce  json,application/problem+json
// @Param    code path string           true "Your municipality's official code, e.g. 101 (København) or 751 (Aarhus)"
// @Param    id   path string           true "Task id" format(uuid)
// @Param    body body task.Expectation true "The expected date and the reason"
// @Success  200 {object} task.Assignment
// @Header   200 {string} ETag "The version, for If-Match"
// @Failure  409 {object} Problem "The task is completed already."
// @Security BearerAuth
// @Router   /api/v1/municipalities/{code}/tasks/{id}/expected-date [post]
func (s *Server) expectTask(c *gin.Context) {
	id, err := idParam(c, "id", "task")
	var in task.Expectation
	if err == nil {
		err = bind(c, &in)
	}
	var a task.Assignment
	if err == nil {
		a, err = s.Tasks.Expect(ctx(c), c.Param("code"), id, in)
	}
	if err != nil {
		s.fail(c, err)
		return
	}
	versioned(c, 200, a.Version, a)
}

// listMunicipalityTaskComments godoc
// @Summary  The comments on the municipality's execution of a task, both ways
// @ID       listMunicipalityTaskComments
// @Tags     tasks
// @Produce  json,application/problem+json
// @Param    code path string true "Your municipality's official code, e.g. 101 (København) or 751 (Aarhus)"
// @Param    id   path string true "Task id" format(uuid)
// @Success  200 {array} task.Comment
// @Security BearerAuth
// @Router   /api/v1/municipalities/{code}/tasks/{id}/comments [get]
func (s *Server) listMunicipalityTaskComments(c *gin.Context) { s.taskComments(c) }

// addMunicipalityTaskComment godoc
// @Summary  Comment on the municipality's execution of a task, to the issuer
// @ID       addMunicipalityTaskComment
// @Tags     tasks
// @Accept   json
// @Produce  json,application/problem+json
// @Param    code            path   string          true "Your municipality's official code, e.g. 101 (København) or 751 (Aarhus)"
// @Param    id              path   string          true "Task id" format(uuid)
// @Param    Idempotency-Key header string          true "A key of your choice, unique per change (8-255 characters)"
// @Param    body            body   task.NewComment true "The comment"
// @Success  201 {object} task.Comment
// @Security BearerAuth
// @Router   /api/v1/municipalities/{code}/tasks/{id}/comments [post]
func (s *Server) addMunicipalityTaskComment(c *gin.Context) { s.addTaskComment(c) }

// actOnTask applies action to the execution of the task in the path by the municipality in the
// path; withReason reads the reason from the body.
func (s *Server) actOnTask(c *gin.Context, action task.Action, withReason bool) {
	id, err := idParam(c, "id", "task")
	var in task.Returning
	if err == nil && withReason {
		err = bind(c, &in)
	}
	var a task.Assignment
	if err == nil {
		a, err = s.Tasks.Act(ctx(c), c.Param("code"), id, action, in.Reason)
	}
	if err != nil {
		s.fail(c, err)
		return
	}
	versioned(c, 200, a.Version, a)
}

func (s *Server) taskComments(c *gin.Context) {
	id, err := idParam(c, "id", "task")
	var cs []task.Comment
	if err == nil {
		cs, err = s.Tasks.Comments(ctx(c), c.Param("code"), id)
	}
	if err != nil {
		s.fail(c, err)
		return
	}
	c.JSON(200, cs)
}

func (s *Server) addTaskComment(c *gin.Context) {
	id, err := idParam(c, "id", "task")
	if err != nil {
		s.fail(c, err)
		return
	}
	creates(s, c, func(in task.NewComment) (task.Comment, int, error) {
		cm, err := s.Tasks.AddComment(ctx(c), c.Param("code"), id, in)
		return cm, 1, err
	})
}
