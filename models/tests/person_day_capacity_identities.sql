-- metrics §1: 0 <= available <= capacity <= scheduled, and holiday + capacity = scheduled.
SELECT * FROM marts.person_day
WHERE available_h < 0 OR available_h > capacity_h OR capacity_h > scheduled_h
   OR holiday_h + capacity_h <> scheduled_h OR time_off_h > capacity_h
