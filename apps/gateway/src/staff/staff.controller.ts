import { Body, Controller, Get, Param, Patch, Post } from '@nestjs/common';
import { ApiOperation, ApiProperty, ApiTags } from '@nestjs/swagger';
import { ArrayMaxSize, IsArray, IsIn, IsString, Length, Matches } from 'class-validator';
import { STAFF_ROLES } from '@ecert/common';
import { RequiresOperation } from '../access/access.decorators';
import { StaffService } from './staff.service';

export class CreateStaffDto {
  @ApiProperty() @IsString() @Length(1, 64) name: string;
  @ApiProperty({ enum: STAFF_ROLES }) @IsIn(STAFF_ROLES as unknown as string[]) role: string;
  @ApiProperty({ description: 'GB/T 2260 code of the office; 000000 = national' }) @Matches(/^\d{6}$/, { message: 'regionCode must be 6 digits' }) regionCode: string;
  @ApiProperty({ description: 'serials of ecert-issued personal certificates to log in with', type: [String] })
  @IsArray()
  @ArrayMaxSize(10)
  @Matches(/^[0-9a-fA-F]{2,40}$/, { each: true, message: 'each certificate serial must be hex' })
  certificateSerials: string[];
}

export class UpdateStaffDto {
  @ApiProperty({ enum: ['enabled', 'disabled'] }) @IsIn(['enabled', 'disabled']) status: 'enabled' | 'disabled';
}

@ApiTags('staff')
@Controller('api/v1/staff')
@RequiresOperation('admin')
export class StaffController {
  constructor(private readonly staff: StaffService) {}

  @Post()
  @ApiOperation({ summary: 'Create a staff account bound to its login certificate(s)' })
  create(@Body() dto: CreateStaffDto) {
    return this.staff.create(dto);
  }

  @Get()
  list() {
    return this.staff.list();
  }

  @Get(':id')
  get(@Param('id') id: string) {
    return this.staff.get(id);
  }

  @Patch(':id')
  update(@Param('id') id: string, @Body() dto: UpdateStaffDto) {
    return this.staff.setStatus(id, dto.status);
  }
}
