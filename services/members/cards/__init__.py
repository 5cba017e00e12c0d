"""CS-4: the daily card mailing batch for members who joined online, and the follow-up worklist
of members with no stay in a while."""
