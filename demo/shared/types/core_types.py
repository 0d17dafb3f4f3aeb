UserID = str
ThreadID = str
